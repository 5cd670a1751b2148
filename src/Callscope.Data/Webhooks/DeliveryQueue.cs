using Callscope.Core;
using Dapper;

namespace Callscope.Data.Webhooks;

/// <summary>A delivery a node has claimed for one try, until <see cref="LeaseUntil"/>.</summary>
public sealed record ClaimedDelivery(string Id, TeamId TeamId, string WebhookId, string Payload, int Attempt, int Try, DateTimeOffset LeaseUntil);

/// <summary>What one try of a delivery came to.</summary>
/// <param name="State">The delivery's state after it: delivered, pending again (then <paramref name="NextAttemptAt"/>), or failed.</param>
public sealed record TryOutcome(
    DateTimeOffset StartedAt, int DurationMs, int? Status, string? Error, string? Response, string State, DateTimeOffset? NextAttemptAt);

/// <summary>A try that ended, waiting to be recorded, with the reason shown if its failure disables the webhook.</summary>
public sealed record FinishedTry(ClaimedDelivery Delivery, TryOutcome Outcome, string DisabledReason);

/// <summary>
/// The dispatcher's reads of the outbox (docs/webhooks.md); its writes go through the writer
/// (<see cref="Writing.SettleDeliveriesCommand"/>).
/// </summary>
public sealed class DeliveryQueue(CallscopeDatabase database)
{
    /// <summary>Whether any delivery of an enabled webhook is due: a read, so that a node with nothing to send takes no write lock.</summary>
    public bool AnyDue(DateTimeOffset now)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>(
            $"SELECT 1 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE {Due} LIMIT 1",
            new { now = DbTime.Ms(now) }) is not null;
    }

    /// <summary>Due: pending, its time come, no lease holding, its webhook enabled (rows <c>d</c> and <c>w</c>; parameter <c>@now</c>).</summary>
    internal const string Due =
        $"d.state = '{DeliveryStates.Pending}' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now) AND w.enabled = 1";
}
