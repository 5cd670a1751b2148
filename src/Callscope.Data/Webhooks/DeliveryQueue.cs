using System.Data.Common;
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
/// The dispatcher's side of the outbox (docs/webhooks.md). A node records the tries that ended and claims due deliveries
/// by setting a lease on them, both in one short transaction (on PostgreSQL the claim skips rows another node is
/// claiming), and makes its tries outside any transaction. One transaction for many tries matters on SQLite, where every
/// write transaction waits for the writer's. A node that dies mid-try leaves its lease to run out, after which any
/// node claims the delivery again: at least once, never by two nodes at the same time while a lease holds.
/// </summary>
public sealed class DeliveryQueue(CallscopeDatabase database)
{
    /// <summary>Whether any delivery of an enabled webhook is due: a read, so that a node with nothing to send takes no write lock.</summary>
    public bool AnyDue(DateTimeOffset now)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>(
            $"""
            SELECT 1 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE {Due} LIMIT 1
            """,
            new { now = DbTime.Ms(now) }) is not null;
    }

    /// <summary>
    /// Records <paramref name="finished"/> and, unless <paramref name="limit"/> is 0, claims up to that many due
    /// deliveries of enabled webhooks, oldest due first: no more than <paramref name="perWebhook"/> of one webhook, and
    /// none of the webhooks in <paramref name="busy"/> (those this node already has enough tries in flight for).
    /// </summary>
    /// <param name="disableAfter">A delivery failing for good disables its webhook if the webhook has failed, with no success, this long.</param>
    public IReadOnlyList<ClaimedDelivery> Settle(IReadOnlyList<FinishedTry> finished, string node, DateTimeOffset now, TimeSpan disableAfter,
        TimeSpan lease, int limit, int perWebhook, IReadOnlyCollection<string> busy)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        foreach (var done in finished)
        {
            Record(connection, tx, done, node, now, disableAfter);
        }

        List<ClaimedDelivery> claimed = [];
        if (limit > 0)
        {
            var leaseUntil = now + lease;

            // The rows are locked first (on PostgreSQL a window function cannot lock), then at most perWebhook of each are taken.
            var rows = connection.Query<(string Id, string TeamId, string WebhookId, string Payload, long Attempts, long Tries)>(
                $"""
                WITH due AS (
                    SELECT d.id, d.webhook_id, d.next_attempt_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                    WHERE {Due} AND NOT ({database.InList("d.webhook_id", "busy")})
                    ORDER BY d.next_attempt_at LIMIT @window{database.Dialect.SkipLocked("d")}),
                ranked AS (SELECT id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS n FROM due)
                UPDATE webhook_deliveries SET lease_until = @lease, attempts = attempts + 1, tries = tries + 1
                WHERE id IN (SELECT id FROM ranked WHERE n <= @perWebhook ORDER BY next_attempt_at LIMIT @limit)
                RETURNING id, team_id, webhook_id, payload, attempts, tries
                """,
                new { now = DbTime.Ms(now), lease = DbTime.Ms(leaseUntil), limit, perWebhook, window = limit * 4, busy = busy.ToArray() }, tx).ToList();
            claimed = [.. rows.Select(r => new ClaimedDelivery(r.Id, new TeamId(Guid.Parse(r.TeamId)), r.WebhookId, r.Payload, (int)r.Attempts, (int)r.Tries, leaseUntil))];
        }

        tx.Commit();
        return claimed;
    }

    /// <summary>Due: pending, its time come, no lease holding, its webhook enabled (rows <c>d</c> and <c>w</c>; parameter <c>@now</c>).</summary>
    private const string Due =
        $"d.state = '{DeliveryStates.Pending}' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now) AND w.enabled = 1";

    /// <summary>
    /// Records a try and moves the delivery on. A success clears the webhook's failing mark; a failure sets it if unset.
    /// A delivery given up on disables its webhook when the webhook has failed without a success since at least
    /// <paramref name="disableAfter"/> ago.
    /// </summary>
    private static void Record(DbConnection connection, DbTransaction tx, FinishedTry done, string node, DateTimeOffset now, TimeSpan disableAfter)
    {
        var (delivery, outcome) = (done.Delivery, done.Outcome);
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
                new { id = delivery.WebhookId, reason = done.DisabledReason, now = DbTime.Ms(now), cutoff = DbTime.Ms(now - disableAfter) },
                tx);
        }
    }
}
