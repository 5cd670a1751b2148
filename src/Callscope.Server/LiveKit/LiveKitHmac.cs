using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Callscope.Server.LiveKit;

/// <summary>
/// HS256 with the API secret's UTF-8 bytes as the key, whatever their length. LiveKit signs that way (its <c>--dev</c>
/// secret is the six letters "secret"), while IdentityModel's own HMAC provider refuses keys under 128 bits. Only the
/// MAC is computed here; reading, algorithm, issuer and lifetime checks stay with IdentityModel.
/// </summary>
public sealed class LiveKitHmac : ICryptoProvider
{
    private static readonly CryptoProviderFactory Factory = new() { CustomCryptoProvider = new LiveKitHmac(), CacheSignatureProviders = false };

    /// <summary>The signing and verification key for a LiveKit API secret.</summary>
    public static SymmetricSecurityKey KeyFor(string secret) =>
        new(Encoding.UTF8.GetBytes(secret)) { CryptoProviderFactory = Factory };

    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        algorithm == SecurityAlgorithms.HmacSha256 && args is [SymmetricSecurityKey, ..];

    public object Create(string algorithm, params object[] args) => new Hs256Provider((SymmetricSecurityKey)args[0]);

    public void Release(object cryptoInstance) => (cryptoInstance as IDisposable)?.Dispose();

    private sealed class Hs256Provider(SymmetricSecurityKey key) : SignatureProvider(key, SecurityAlgorithms.HmacSha256)
    {
        public override byte[] Sign(byte[] input) => HMACSHA256.HashData(key.Key, input);

        public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) =>
            HMACSHA256.TryHashData(key.Key, data, destination, out bytesWritten);

        public override bool Verify(byte[] input, byte[] signature) =>
            CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Key, input), signature);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            CryptographicOperations.FixedTimeEquals(
                HMACSHA256.HashData(key.Key, input.AsSpan(inputOffset, inputLength)), signature.AsSpan(signatureOffset, signatureLength));

        protected override void Dispose(bool disposing)
        {
            // Nothing is held: every call hashes with the key's bytes directly.
        }
    }
}
