using System.Data.Common;
using Callscope.Core;
using Callscope.Data.Webhooks;
using Dapper;

namespace Callscope.Data.Writing;

/// <summary>
/// The dispatcher's writes (docs/webhooks.md): records the tries that ended and claims due deliveries by setting a
/// lease on them, in the writer's transaction. Through the writer, because on SQLite a second writer would wait for
/// the writer's lock, which under load it seldom gets; the writer takes the command in its turn. On PostgreSQL the
/// claim skips rows another node is claiming. A node that dies mid-try leaves its lease to run out, after which any
/// node claims the delivery again: at least once, never by two nodes at the same time while a lease holds.
/// Answers the deliveries claimed.
/// </summary>
/// <param name="limit">How many to claim at most (0: only record).</param>
/// <param name="perWebhook">How many of one webhook to claim at most.</param>
/// <param name="busy">Webhooks none of whose deliveries is claimed (this node has enough of their tries in flight).</param>
/// <param name="holding">Deliveries this node holds, never claimed again while it does (even if their lease ran out).</param>
/// <param name="disableAfter">A delivery failing for good disables its webhook if the webhook has failed, with no success, this long.</param>
public sealed class SettleDeliveriesCommand(
    IReadOnlyList<FinishedTry> finished, string node, TimeSpan disableAfter, TimeSpan lease, int limit, int perWebhook, IReadOnlyCollection<string> busy,
    IReadOnlyCollection<string> holding)
    : WriteCommand<IReadOnlyList<ClaimedDelivery>>
{
    internal override int Weight => finished.Count + limit;

    internal override IReadOnlyList<ClaimedDelivery> Run(WriteContext context)
    {
        foreach (var done in finished)
        {
            Record(context.Connection, context.Transaction, done, node, context.Now, disableAfter);
        }

        if (limit == 0)
        {
            return [];
        }

        var leaseUntil = context.Now + lease;

        // The rows are locked first (on PostgreSQL a window function cannot lock), then at most perWebhook of each are taken.
        var rows = context.Query<(string Id, string TeamId, string WebhookId, string Payload, long Attempts, long Tries)>(
            $"""
            WITH due AS (
                SELECT d.id, d.webhook_id, d.next_attempt_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE {DeliveryQueue.Due} AND NOT ({context.Dialect.InList("d.webhook_id", "busy")}) AND NOT ({context.Dialect.InList("d.id", "holding")})
                ORDER BY d.next_attempt_at LIMIT @window{context.Dialect.SkipLocked("d")}),
            ranked AS (SELECT id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS n FROM due)
            UPDATE webhook_deliveries SET lease_until = @lease, attempts = attempts + 1, tries = tries + 1
            WHERE id IN (SELECT id FROM ranked WHERE n <= @perWebhook ORDER BY next_attempt_at LIMIT @limit)
            RETURNING id, team_id, webhook_id, payload, attempts, tries
            """,
            new { now = DbTime.Ms(context.Now), lease = DbTime.Ms(leaseUntil), limit, perWebhook, window = limit * 4, busy = busy.ToArray(), holding = holding.ToArray() });
        return [.. rows.Select(r => new ClaimedDelivery(r.Id, new TeamId(Guid.Parse(r.TeamId)), r.WebhookId, r.Payload, (int)r.Attempts, (int)r.Tries, leaseUntil))];
    }

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

        // Only if this try is the delivery's latest claim: after its lease ran out another node may have claimed it
        // again (and counted a new attempt).
        connection.Execute(
            """
            UPDATE webhook_deliveries SET state = @State, next_attempt_at = @next, lease_until = NULL, last_status = @Status, last_error = @Error,
                finished_at = @finished
            WHERE id = @Id AND attempts = @attempt
            """,
            new { outcome.State, next = DbTime.Ms(outcome.NextAttemptAt), outcome.Status, outcome.Error, finished, delivery.Id, attempt = delivery.Attempt },
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
