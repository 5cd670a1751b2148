using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>For bodies LiveKit would never send: the same claims its server signs, made here.</summary>
internal static class LiveKitSignature
{
    public static string Sign(string apiKey, string apiSecret, byte[] body, DateTimeOffset at) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = apiKey,
            IssuedAt = at.UtcDateTime,
            NotBefore = at.UtcDateTime,
            Expires = at.AddMinutes(5).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sha256"] = Server.LiveKit.WebhookVerifier.BodyHash(body) },
            SigningCredentials = new SigningCredentials(Server.LiveKit.LiveKitHmac.KeyFor(apiSecret), SecurityAlgorithms.HmacSha256),
        });
}
