using System.Text.Json.Nodes;
using Callscope.Data.Audit;
using Callscope.Data.Webhooks;
using Callscope.Server.Audit;

namespace Callscope.Server.Webhooks;

/// <summary>
/// What the audit log keeps of a webhook's change, the same from the API and the dashboard. The endpoint is kept
/// without its query and user info (either may carry a secret of the receiver's); of the bearer token and the
/// signing secret, only that they changed.
/// </summary>
public static class WebhookAudit
{
    public static Task CreatedAsync(AuditLog audit, HttpContext context, Webhook webhook, CancellationToken cancellationToken) =>
        audit.RecordAsync(context, AuditActions.WebhookCreated, AuditTarget.Webhook(webhook.Id), new JsonObject
        {
            ["endpoint"] = Endpoint(webhook.Endpoint),
            ["name"] = webhook.Name,
            ["events"] = new JsonArray([.. webhook.Events.Select(e => (JsonNode?)e)]),
            ["authorization_header"] = webhook.ProtectedAuthorization is not null,
        }, cancellationToken);

    /// <summary>Records the fields that differ; a save that changed nothing records nothing.</summary>
    public static async Task ChangedAsync(AuditLog audit, HttpContext context, Webhook before, Webhook after, CancellationToken cancellationToken)
    {
        var changes = AuditLog.Changes(
            ("endpoint", Endpoint(before.Endpoint), Endpoint(after.Endpoint)), ("name", before.Name, after.Name), ("events", before.Events, after.Events),
            ("enabled", before.Enabled, after.Enabled));
        if (before.Endpoint != after.Endpoint && Endpoint(before.Endpoint) == Endpoint(after.Endpoint))
        {
            changes["endpoint_query_changed"] = true;
        }

        if (before.ProtectedAuthorization != after.ProtectedAuthorization)
        {
            changes["authorization_header_changed"] = true;
        }

        if (changes.Count > 0)
        {
            await audit.RecordAsync(context, AuditActions.WebhookChanged, AuditTarget.Webhook(after.Id), changes, cancellationToken);
        }
    }

    public static Task DeletedAsync(AuditLog audit, HttpContext context, Webhook webhook, CancellationToken cancellationToken) =>
        audit.RecordAsync(context, AuditActions.WebhookDeleted, AuditTarget.Webhook(webhook.Id),
            new JsonObject { ["endpoint"] = Endpoint(webhook.Endpoint), ["name"] = webhook.Name }, cancellationToken);

    public static Task RotatedAsync(AuditLog audit, HttpContext context, Webhook webhook, CancellationToken cancellationToken) =>
        audit.RecordAsync(context, AuditActions.WebhookSecretRotated, AuditTarget.Webhook(webhook.Id), cancellationToken: cancellationToken);

    private static string Endpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "";
}
