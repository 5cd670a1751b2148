using Callscope.Core;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

/// <summary>
/// Where a room's history starts once retention has deleted what came before (<c>rooms.history_from</c>, Unix
/// milliseconds). It is always a session boundary: every session before it ended before it, and none spans it, so the
/// law replays the events kept from there on into the sessions kept. The law sees nothing before it: an event older
/// than it is not stored (it is counted as expired), and a leave whose join time lies before it is a leave without one.
/// </summary>
internal static class RoomHistory
{
    /// <summary>
    /// Events this much younger than the writer's clock cannot be older than any room's history: retention keeps at
    /// least a day, and its horizon is a day boundary before that.
    /// </summary>
    public static readonly TimeSpan Unaffected = TimeSpan.FromDays(Teams.TeamSettings.MinRetentionDays);

    /// <summary>The room's horizon, or null while nothing of it was deleted.</summary>
    public static long? From(WriteContext context, TeamId team, RoomId room) =>
        context.Single<long?>("SELECT history_from FROM rooms WHERE team_id = @team AND id = @room", new { team = team.ToString(), room = room.ToString() });

    /// <summary>The horizons of those of <paramref name="rooms"/> that have one.</summary>
    public static Dictionary<RoomId, long> Of(WriteContext context, TeamId team, IReadOnlyCollection<RoomId> rooms) =>
        context.Query<(string Id, long From)>(
                $"SELECT id, history_from FROM rooms WHERE team_id = @team AND {context.Dialect.InList("id", "ids")} AND history_from IS NOT NULL",
                new { team = team.ToString(), ids = rooms.Select(r => r.ToString()).ToArray() })
            .ToDictionary(r => new RoomId(Guid.Parse(r.Id)), r => r.From);

    /// <summary>The event as the law takes it in a room whose history starts at <paramref name="horizon"/>.</summary>
    public static LawEvent Clip(LawEvent e, long? horizon) =>
        horizon is { } h && e.JoinedAt is { } joined && DbTime.Ms(joined) < h ? e with { JoinedAt = null } : e;

    /// <summary>
    /// The latest session boundary at or before <paramref name="retainedFrom"/> such that every session before it ended
    /// before <paramref name="retainedFrom"/>: the start of the first session kept, when the one before it ended strictly
    /// earlier (a session that begins the instant its predecessor ends shares that instant's events with it, so the
    /// boundary moves back past both), or <paramref name="retainedFrom"/> itself when no later session exists.
    /// </summary>
    public static long Horizon(WriteContext context, TeamId team, RoomId room, long retainedFrom)
    {
        var args = new { team = team.ToString(), room = room.ToString(), until = retainedFrom };

        // Sessions of a room follow one another, so the last one that ended before the horizon is among the latest to start
        // before it (only the one spanning it, if any, comes later).
        var last = context.Single<(long Start, long End)?>(
            """
            SELECT start_time, end_time FROM sessions WHERE team_id = @team AND room_id = @room AND start_time < @until AND end_time < @until
            ORDER BY start_time DESC LIMIT 1
            """, args);
        if (last is not { } before)
        {
            var first = context.Single<long?>("SELECT MIN(start_time) FROM sessions WHERE team_id = @team AND room_id = @room", args);
            return first is { } f ? Math.Min(retainedFrom, f) : retainedFrom;
        }

        var next = SessionAfter(context, args, before.Start);
        if (next is not { } boundary)
        {
            return retainedFrom;
        }

        while (before.End >= boundary)
        {
            boundary = before.Start;
            if (SessionBefore(context, args, before.Start) is not { } earlier)
            {
                break;
            }

            before = earlier;
        }

        return Math.Min(retainedFrom, boundary);
    }

    private static long? SessionAfter(WriteContext context, object args, long start) => context.Single<long?>(
        "SELECT start_time FROM sessions WHERE team_id = @team AND room_id = @room AND start_time > @start ORDER BY start_time LIMIT 1",
        Merge(args, start));

    private static (long Start, long End)? SessionBefore(WriteContext context, object args, long start) => context.Single<(long Start, long End)?>(
        "SELECT start_time, end_time FROM sessions WHERE team_id = @team AND room_id = @room AND start_time < @start ORDER BY start_time DESC LIMIT 1",
        Merge(args, start));

    private static Dapper.DynamicParameters Merge(object args, long start)
    {
        var merged = new Dapper.DynamicParameters(args);
        merged.Add("start", start);
        return merged;
    }
}
