using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>How much one retention step deleted, and whether its rooms have nothing left before their horizon.</summary>
public sealed record RetentionStep(int Rows, bool Finished);

/// <summary>
/// One small step of a team's retention (docs/operations.md, "Retention"): raises the team's usage horizon to
/// <paramref name="retainedFrom"/> (its roll-ups before it are final), then, room by room, moves each room's history
/// to the latest session boundary at or before it (<see cref="RoomHistory.Horizon"/>) and deletes, oldest first and
/// at most about <paramref name="budget"/> rows, the sessions before that boundary with their participants, issues,
/// aliases and webhook deliveries, and then the room's events before it. A room whose history moved is forgotten by
/// every writer (its law version goes up), so the law is next rebuilt from the events kept.
/// </summary>
public sealed class RetentionCommand(TeamId team, long retainedFrom, IReadOnlyList<RoomId> rooms, int budget) : WriteCommand<RetentionStep>
{
    internal override int Weight => budget;

    internal override RetentionStep Run(WriteContext context)
    {
        var teamText = team.ToString();
        context.Execute("UPDATE usage_state SET retained_from = @retainedFrom WHERE team_id = @team AND retained_from < @retainedFrom",
            new { team = teamText, retainedFrom });

        // Locked as every writer locks rooms (in id order), so a late event for one of them waits for this step or
        // comes before it, never between its reads and its deletes.
        var versions = context.LockRooms([.. rooms.Select(room => (team, room))]);
        var left = budget;
        var rows = 0;
        var sessionsLeft = false;
        foreach (var room in rooms.Where(versions.ContainsKey).OrderBy(r => r.Value))
        {
            if (left <= 0)
            {
                return new RetentionStep(rows, false);
            }

            var horizon = RoomHistory.Horizon(context, team, room, retainedFrom);
            if (RoomHistory.From(context, team, room) is { } kept && kept >= horizon)
            {
                horizon = kept;
            }
            else
            {
                context.Execute("UPDATE rooms SET history_from = @horizon WHERE team_id = @team AND id = @room", new { horizon, team = teamText, room = room.ToString() });
                context.Dialect.BumpVersions(context, [(team, room)]);
                context.States.Forget(room);
                context.TouchedRooms.Add(room);
            }

            var (deleted, full) = DeleteSessions(context, room, horizon, Math.Max(1, left / 8));
            sessionsLeft |= full;
            deleted += left - deleted > 0 ? context.Dialect.DeleteEventsBefore(context, team, room, horizon, left - deleted) : 0;
            rows += deleted;
            left -= deleted;
        }

        if (rows > 0)
        {
            context.ChangedTeams.Add(team);
        }

        // A room whose sessions filled their share may have more before its horizon: the next step goes on with it.
        return new RetentionStep(rows, left > 0 && !sessionsLeft);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of the room's oldest sessions before the horizon and what hangs off them; answers
    /// the rows deleted, and whether the limit was reached (there may be more).
    /// </summary>
    private (int Rows, bool Full) DeleteSessions(WriteContext context, RoomId room, long horizon, int limit)
    {
        var ids = context.Query<string>(
            "SELECT id FROM sessions WHERE team_id = @team AND room_id = @room AND start_time < @horizon ORDER BY start_time LIMIT @limit",
            new { team = team.ToString(), room = room.ToString(), horizon, limit }).ToArray();
        if (ids.Length == 0)
        {
            return (0, false);
        }

        var dialect = context.Dialect;
        var args = new { team = team.ToString(), ids };
        var rows = context.Execute(
            $"DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE {dialect.InList("session_id", "ids")})", args);
        rows += context.Execute($"DELETE FROM webhook_deliveries WHERE {dialect.InList("session_id", "ids")}", args);
        rows += context.Execute($"DELETE FROM issues WHERE {dialect.InList("session_id", "ids")}", args);
        rows += context.Execute($"DELETE FROM participants WHERE {dialect.InList("session_id", "ids")}", args);
        // By session alone, as the rows above: a session id is its team's only, and naming the team leads SQLite's planner
        // to the table's key and so through every alias of the team.
        rows += context.Execute($"DELETE FROM session_aliases WHERE {dialect.InList("session_id", "ids")}", args);
        rows += context.Execute($"DELETE FROM sessions WHERE team_id = @team AND {dialect.InList("id", "ids")}", args);
        return (rows, ids.Length == limit);
    }
}
