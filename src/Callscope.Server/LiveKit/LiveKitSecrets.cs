using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Callscope.Server.LiveKit;

/// <summary>
/// Encrypts LiveKit API secrets for the database with ASP.NET Core Data Protection. The secret has to be read back
/// (it checks webhook signatures and signs RoomService tokens), so a one-way hash cannot do; the key ring lives under
/// the data directory, apart from the database.
/// </summary>
public sealed class LiveKitSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Callscope.LiveKit.ApiSecret.v1");

    public string Protect(string secret) => protector.Protect(secret);

    /// <summary>The secret in clear, or null when the key ring that protected it is gone (the team must enter it again).</summary>
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
