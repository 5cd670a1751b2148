using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Callscope.Server.Hosting;

/// <summary>
/// Encrypts a secret Callscope must send or check again later (so a one-way hash cannot do) for the database, with
/// ASP.NET Core Data Protection under one purpose per kind of secret. The key ring lives under the data directory, apart
/// from the database.
/// </summary>
public class SecretProtector(IDataProtectionProvider provider, string purpose)
{
    private readonly IDataProtector protector = provider.CreateProtector(purpose);

    public string Protect(string secret) => protector.Protect(secret);

    /// <summary>The secret in clear, or null when the key ring that protected it is gone (it must be entered again).</summary>
    public string? TryUnprotect(string protectedSecret)
    {
        try
        {
            return protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
