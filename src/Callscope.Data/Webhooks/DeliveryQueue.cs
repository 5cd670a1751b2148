using Callscope.Core;
using Dapper;

namespace Callscope.Data.Webhooks;

/// <summary>A delivery a node has claimed for one try, until <see cref="LeaseUntil"/>.</summary>
public sealed record ClaimedDelivery(string Id, TeamId TeamId, string WebhookId, string Payload, int Attempt, int Try, DateTimeOffset LeaseUntil);

/// <summary>What one try of a delivery came to.</summary>
/// <param name="State">The delivery's state after it: delivered, pending again (then <paramref name="NextAttemptAt"/>), or failed.</param>
public sealed record TryOutcome(
    DateTimeOffset StartedAt, int DurationMs, int? Status, string? Error, string? Response, string State, DateTimeOffset? NextAttemptAt);

/// <summary>
/// The dispatcher's side of the outbox (docs/webhooks.md). A node claims due deliveries by setting a lease on them in
/// one short transaction (on PostgreSQL skipping rows another node is claiming), makes its tries outside any
/// transaction, then records each outcome. A node that dies mid-try leaves its lease to run out, after which any node
/// claims the delivery again: at least once, never by two nodes at the same time while a lease holds.
/// </summary>
public sealed class DeliveryQueue(CallscopeDatabase database)
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries of enabled webhooks, oldest due first, leaving out the
    /// webhooks in <paramref name="busy"/> (those this node already has enough tries in flight for).
    /// </summary>
    public IReadOnlyList<ClaimedDelivery> Claim(DateTimeOffset now, TimeSpan lease, int limit, IReadOnlyCollection<string> busy)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var leaseUntil = now + lease;
        var rows = connection.Query<(string Id, string TeamId, string WebhookId, string Payload, long Attempts, long Tries)>(
            $"""
            UPDATE webhook_deliveries SET lease_until = @lease, attempts = attempts + 1, tries = tries + 1
            WHERE id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = '{DeliveryStates.Pending}' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now)
                  AND w.enabled = 1 AND NOT ({database.InList("d.webhook_id", "busy")})
                ORDER BY d.next_attempt_at LIMIT @limit{database.Dialect.SkipLocked("d")})
            RETURNING id, team_id, webhook_id, payload, attempts, tries
            """,
            new { now = DbTime.Ms(now), lease = DbTime.Ms(leaseUntil), limit, busy = busy.ToArray() }, tx).ToList();
        tx.Commit();
        return [.. rows.Select(r => new ClaimedDelivery(r.Id, new TeamId(Guid.Parse(r.TeamId)), r.WebhookId, r.Payload, (int)r.Attempts, (int)r.Tries, leaseUntil))];
    }

    /// <summary>Whether any delivery of an enabled webhook is due: a read, so that a node with nothing to send takes no write lock.</summary>
    public bool AnyDue(DateTimeOffset now)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>(
            $"""
            SELECT 1 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.state = '{DeliveryStates.Pending}' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now) AND w.enabled = 1
            LIMIT 1
            """,
            new { now = DbTime.Ms(now) }) is not null;
    }

    /// <summary>
    /// Records a try and moves the delivery on. A success clears the webhook's failing mark; a failure sets it if unset.
    /// A delivery given up on disables its webhook when the webhook has failed without a success since at least
    /// <paramref name="disableAfter"/> ago, with <paramref name="disabledReason"/> shown to the team.
    /// </summary>
    public void Record(ClaimedDelivery delivery, TryOutcome outcome, string node, DateTimeOffset now, TimeSpan disableAfter, string disabledReason)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute(
            """
            INSERT INTO webhook_attempts (delivery_id, attempt, webhook_id, started_at, duration_ms, status, error, response, node)
            VALUES (@Id, @attempt, @WebhookId, @started, @DurationMs, @Status, @Error, @Response, @node)
            """,
            new
            {
                delivery.Id, attempt = delivery.Attempt, delivery.WebhookId, started = DbTime.Ms(outcome.StartedAt), outcome.DurationMs, outcome.Status,
                outcome.Error, outcome.Response, node,
            },
            tx);
        var finished = outcome.State == DeliveryStates.Pending ? (long?)null : DbTime.Ms(now);
        // Only while this node's lease holds: after it ran out another node may have tried again and recorded that.
        connection.Execute(
            """
            UPDATE webhook_deliveries SET state = @State, next_attempt_at = @next, lease_until = NULL, last_status = @Status, last_error = @Error,
                finished_at = @finished
            WHERE id = @Id AND lease_until = @lease
            """,
            new { outcome.State, next = DbTime.Ms(outcome.NextAttemptAt), outcome.Status, outcome.Error, finished, delivery.Id, lease = DbTime.Ms(delivery.LeaseUntil) },
            tx);
        var webhook = new { id = delivery.WebhookId, started = DbTime.Ms(outcome.StartedAt) };
        if (outcome.State == DeliveryStates.Delivered)
        {
            connection.Execute("UPDATE webhooks SET failing_since = NULL WHERE id = @id AND failing_since IS NOT NULL", webhook, tx);
        }
        else
        {
            connection.Execute("UPDATE webhooks SET failing_since = @started WHERE id = @id AND failing_since IS NULL", webhook, tx);
        }

        if (outcome.State == DeliveryStates.Failed)
        {
            connection.Execute(
                "UPDATE webhooks SET enabled = 0, disabled_reason = @reason, updated_at = @now WHERE id = @id AND enabled = 1 AND failing_since <= @cutoff",
                new { id = delivery.WebhookId, reason = disabledReason, now = DbTime.Ms(now), cutoff = DbTime.Ms(now - disableAfter) },
                tx);
        }

        tx.Commit();
    }
}
