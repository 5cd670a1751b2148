using Callscope.Core;
using Callscope.Data.Dialects;

namespace Callscope.Data.Writing;

/// <summary>
/// The rooms whose sessions a command stored or removed, each with the earliest start among them, written at the end
/// of the command into <c>usage_marks</c>, in one statement where the store allows it: the room's version goes up and its mark reaches back
/// to cover the change. Until the usage worker stores the roll-ups again, the team's hours and the room's days from
/// the mark on are computed from the sessions themselves (see <c>Usage/UsageRollups</c>).
/// </summary>
internal sealed class UsageMarks
{
    private readonly Dictionary<RoomId, (TeamId Team, long From)> rooms = [];

    public void Add(TeamId team, RoomId room, long from)
    {
        rooms[room] = rooms.TryGetValue(room, out var mark) ? (team, Math.Min(mark.From, from)) : (team, from);
    }

    public void Clear() => rooms.Clear();

    public void Write(WriteContext context)
    {
        if (rooms.Count == 0)
        {
            return;
        }

        // In one order, as every writer locks rooms: two writers never wait on each other's marks in a cycle.
        var marks = rooms.OrderBy(r => r.Key.Value).Select(r => new UsageMark(r.Value.Team, r.Key, r.Value.From)).ToList();
        context.Dialect.MarkUsage(context, marks);
        foreach (var mark in marks)
        {
            context.UsageChanged(mark.Team, mark.Room);
        }

        rooms.Clear();
    }

    /// <summary>What happens to a room's mark when it is raised, given its new values as <c>excluded</c>.</summary>
    public static string OnConflict(StoreDialect dialect) =>
        $"""
        ON CONFLICT (team_id, room_id) DO UPDATE SET from_ts = {dialect.Smaller("usage_marks.from_ts", "excluded.from_ts")},
            version = usage_marks.version + 1
        """;
}

/// <summary>A room whose sessions changed from <see cref="From"/> (Unix ms) on.</summary>
internal sealed record UsageMark(TeamId Team, RoomId Room, long From);
