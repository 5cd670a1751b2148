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
        if (finished.Count > 0)
        {
            Record(context);
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

    private static readonly RowTable Attempts = new("webhook_attempts",
    [
        new("delivery_id", Text: true), new("attempt"), new("webhook_id", Text: true), new("started_at"), new("duration_ms"), new("status"),
        new("error", Text: true), new("response", Text: true), new("node", Text: true),
    ], conflict: "ON CONFLICT (delivery_id, attempt) DO NOTHING");

    private const string MoveOn =
        "UPDATE webhook_deliveries SET state = @state, next_attempt_at = @next, lease_until = NULL, last_status = @status, last_error = @error, finished_at = @finished";

    /// <summary>
    /// Records the tries and moves each delivery on, only if the try is still its delivery's latest claim (after a lease
    /// ran out another node may have claimed it again, and counted a new attempt). Then each webhook's failing mark
    /// follows its tries in the order they were made: a success clears it, a failure after the last success sets it. A
    /// delivery given up on disables its webhook when the webhook has failed without a success since at least
    /// <c>disableAfter</c> ago. On PostgreSQL the tries and the deliveries take one statement each, not one a try.
    /// </summary>
    private void Record(WriteContext context)
    {
        var now = DbTime.Ms(context.Now);
        context.Dialect.UpsertRows(context, Attempts, [.. finished.Select(f => new object?[]
        {
            f.Delivery.Id, (long)f.Delivery.Attempt, f.Delivery.WebhookId, DbTime.Ms(f.Outcome.StartedAt), (long)f.Outcome.DurationMs,
            (long?)f.Outcome.Status, f.Outcome.Error, f.Outcome.Response, node,
        })]);

        long? Finished(TryOutcome o) => o.State == DeliveryStates.Pending ? null : now;
        if (context.Dialect.Provider == DatabaseProvider.Postgres)
        {
            context.Execute(
                $"""
                {MoveOn.Replace("@", "u.", StringComparison.Ordinal)}
                FROM unnest(@ids, @attempts, @states, @nexts, @statuses, @errors, @finisheds) AS u (id, attempt, state, next, status, error, finished)
                WHERE webhook_deliveries.id = u.id AND webhook_deliveries.attempts = u.attempt
                """,
                new
                {
                    ids = finished.Select(f => f.Delivery.Id).ToArray(),
                    attempts = finished.Select(f => (long)f.Delivery.Attempt).ToArray(),
                    states = finished.Select(f => f.Outcome.State).ToArray(),
                    nexts = finished.Select(f => DbTime.Ms(f.Outcome.NextAttemptAt)).ToArray(),
                    statuses = finished.Select(f => (long?)f.Outcome.Status).ToArray(),
                    errors = finished.Select(f => f.Outcome.Error).ToArray(),
                    finisheds = finished.Select(f => Finished(f.Outcome)).ToArray(),
                });
        }
        else
        {
            var update = context.Statement(MoveOn + " WHERE id = @id AND attempts = @attempt", "state", "next", "status", "error", "finished", "id", "attempt");
            foreach (var (delivery, outcome, _) in finished)
            {
                WriterStatements.Bind(update, outcome.State, DbTime.Ms(outcome.NextAttemptAt), (long?)outcome.Status, outcome.Error, Finished(outcome),
                    delivery.Id, (long)delivery.Attempt).ExecuteNonQuery();
            }
        }

        foreach (var tries in finished.GroupBy(f => f.Delivery.WebhookId))
        {
            Follow(context, tries.Key, [.. tries.OrderBy(f => f.Outcome.StartedAt)]);
        }
    }

    /// <summary>One webhook's failing mark and, if it has failed long enough, its disabling, after its tries in order.</summary>
    private void Follow(WriteContext context, string webhook, List<FinishedTry> tries)
    {
        var lastSuccess = tries.FindLastIndex(f => f.Outcome.State == DeliveryStates.Delivered);
        var failures = tries.Skip(lastSuccess + 1).ToList();
        if (failures.Count == 0)
        {
            context.Execute("UPDATE webhooks SET failing_since = NULL WHERE id = @webhook AND failing_since IS NOT NULL", new { webhook });
            return;
        }

        // Failing since the first failure after the last success; with no success among these tries, since whenever it started.
        var since = DbTime.Ms(failures[0].Outcome.StartedAt);
        context.Execute(
            lastSuccess >= 0
                ? "UPDATE webhooks SET failing_since = @since WHERE id = @webhook"
                : "UPDATE webhooks SET failing_since = @since WHERE id = @webhook AND failing_since IS NULL",
            new { webhook, since });
        if (failures.LastOrDefault(f => f.Outcome.State == DeliveryStates.Failed) is { } given)
        {
            context.Execute(
                "UPDATE webhooks SET enabled = 0, disabled_reason = @reason, updated_at = @now WHERE id = @webhook AND enabled = 1 AND failing_since <= @cutoff",
                new { webhook, reason = given.DisabledReason, now = DbTime.Ms(context.Now), cutoff = DbTime.Ms(context.Now - disableAfter) });
        }
    }
}
