using Callscope.Core;
using Callscope.Data.Webhooks;

namespace Callscope.Server.Webhooks;

/// <summary>The changes of a webhook that the API and the dashboard both make, made one way.</summary>
public static class WebhookChanges
{
    /// <summary>A new, enabled webhook, with its signing secret in clear (to be shown once) and protected in the record.</summary>
    public static (Webhook Webhook, string SigningSecret) Create(
        WebhookSecrets secrets, TeamId team, string endpoint, string? name, IReadOnlyList<string> events, string? token, DateTimeOffset now)
    {
        var secret = WebhookSecrets.NewSigningSecret();
        var webhook = new Webhook(Guid.CreateVersion7(now).ToString(), team, endpoint, name, events,
            string.IsNullOrEmpty(token) ? null : secrets.ProtectAuthorization(token), secrets.ProtectSigningSecret(secret), null, null, true, null, null, now, now);
        return (webhook, secret);
    }

    /// <summary>A new signing secret (in clear, to be shown once); the old one keeps signing beside it for <see cref="WebhookSecrets.RotationOverlap"/>.</summary>
    public static (Webhook Webhook, string SigningSecret) Rotate(WebhookSecrets secrets, Webhook webhook, DateTimeOffset now)
    {
        var secret = WebhookSecrets.NewSigningSecret();
        return (webhook with
        {
            ProtectedSigningSecret = secrets.ProtectSigningSecret(secret),
            ProtectedPreviousSecret = webhook.ProtectedSigningSecret,
            PreviousSecretUntil = now + WebhookSecrets.RotationOverlap,
            UpdatedAt = now,
        }, secret);
    }

    /// <summary>
    /// Enabled or disabled by a team member. Enabling clears the failure record, so the webhook starts afresh and sends what
    /// it held; disabling says who did it and when. Nothing changes when the webhook already is so.
    /// </summary>
    public static Webhook SetEnabled(Webhook webhook, bool enabled, DateTimeOffset now) => enabled == webhook.Enabled ? webhook : webhook with
    {
        Enabled = enabled,
        DisabledReason = enabled ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Disabled by a team member at {now:yyyy-MM-dd HH:mm} UTC."),
        FailingSince = enabled ? null : webhook.FailingSince,
        UpdatedAt = now,
    };
}
