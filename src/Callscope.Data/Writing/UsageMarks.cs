using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// The rooms whose sessions a command stored or removed, each with the earliest start among them, written at the end
/// of the command as one upsert per room into <c>usage_marks</c>: the room's version goes up and its mark reaches back
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

        var upsert = context.Statement(
            $"""
            INSERT INTO usage_marks (team_id, room_id, from_ts, version) VALUES (@team, @room, @from, 1)
            ON CONFLICT (team_id, room_id) DO UPDATE SET from_ts = {context.Dialect.Smaller("usage_marks.from_ts", "excluded.from_ts")},
                version = usage_marks.version + 1
            """,
            "team", "room", "from");

        // In one order, as every writer locks rooms: two writers never wait on each other's marks in a cycle.
        foreach (var (room, (team, from)) in rooms.OrderBy(r => r.Key.Value))
        {
            WriterStatements.Bind(upsert, team.ToString(), room.ToString(), from).ExecuteNonQuery();
            context.UsageChanged(team, room);
        }

        rooms.Clear();
    }
}
