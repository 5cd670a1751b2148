using System.Security.Cryptography;
using System.Text;

namespace Callscope.Data.Teams;

/// <summary>
/// Developer keys are 256 random bits, so a single SHA-256 is the right hash at rest: it is not guessable, and a
/// lookup by hash needs no per-row salt.
/// </summary>
public static class DeveloperKeys
{
    public static string Generate() => "csk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
