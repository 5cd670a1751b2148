using System.Security.Cryptography;
using Callscope.Data.Webhooks;
using Callscope.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;

namespace Callscope.Server.Webhooks;

/// <summary>
/// A webhook's two secrets, encrypted for the database: the bearer token it sends (Digital Samba's
/// <c>authorization_header</c>) and the Standard Webhooks key it signs with. Both must be read back to be sent or used,
/// so a one-way hash cannot do; neither is ever logged or shown again after it is set (the key once, at creation or
/// rotation).
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    /// <summary>How long the key before a rotation keeps signing beside the new one, so receivers can switch over.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    private readonly SecretProtector bearer = new(provider, "Callscope.Webhooks.Authorization.v1");
    private readonly SecretProtector signing = new(provider, "Callscope.Webhooks.SigningSecret.v1");

    /// <summary>A new signing key in the Standard Webhooks form: <c>whsec_</c> and 32 random bytes in base64.</summary>
    public static string NewSigningSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string ProtectAuthorization(string token) => bearer.Protect(token);

    public string ProtectSigningSecret(string secret) => signing.Protect(secret);

    /// <summary>The bearer token in clear, or null if the key ring that protected it is gone.</summary>
    public string? Authorization(string protectedToken) => bearer.TryUnprotect(protectedToken);

    /// <summary>Whether this node can read the webhook's signing secret and, if it has one, its bearer token.</summary>
    public bool CanRead(Webhook webhook) =>
        signing.TryUnprotect(webhook.ProtectedSigningSecret) is not null
        && (webhook.ProtectedAuthorization is null || bearer.TryUnprotect(webhook.ProtectedAuthorization) is not null);

    /// <summary>The keys a message is signed with now: the webhook's, and the one before it while the rotation overlap lasts.</summary>
    public IEnumerable<string> SigningKeys(Webhook webhook, DateTimeOffset now)
    {
        if (signing.TryUnprotect(webhook.ProtectedSigningSecret) is { } current)
        {
            yield return current;
        }

        if (webhook is { ProtectedPreviousSecret: { } previous, PreviousSecretUntil: { } until } && now < until
            && signing.TryUnprotect(previous) is { } old)
        {
            yield return old;
        }
    }
}
