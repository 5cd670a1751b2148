using Callscope.Core;
using Callscope.Data.Dialects;

namespace Callscope.Data.Writing;

/// <summary>
/// The rooms a command changed in a way the diagnosis sees, each with the time range that changed, written as one
/// upsert per room into <c>diagnosis_queue</c>: the room's version goes up and its range widens to cover the change.
/// The diagnosis worker reads the queue (see <c>Diagnosis/DiagnosisWorker</c>).
/// </summary>
internal sealed class DiagnosisMarks
{
    private readonly Dictionary<RoomId, (TeamId Team, long From, long To)> rooms = [];

    public void Add(TeamId team, RoomId room, long from, long to)
    {
        rooms[room] = rooms.TryGetValue(room, out var mark) ? (team, Math.Min(mark.From, from), Math.Max(mark.To, to)) : (team, from, to);
    }

    public void Clear() => rooms.Clear();

    public void Write(WriteContext context)
    {
        if (rooms.Count == 0)
        {
            return;
        }

        // In one order, as every writer locks rooms: two writers never wait on each other's queue rows in a cycle.
        context.Dialect.MarkRooms(context, [.. rooms.OrderBy(r => r.Key.Value).Select(r => new RoomMark(r.Value.Team, r.Key, r.Value.From, r.Value.To))]);
        rooms.Clear();
    }

    /// <summary>What happens to a room's queue row when it is marked, given its new values as <c>excluded</c>.</summary>
    public static string OnConflict(StoreDialect dialect) =>
        $"""
        ON CONFLICT (room_id) DO UPDATE SET version = diagnosis_queue.version + 1,
            from_ts = {dialect.Smaller("COALESCE(diagnosis_queue.from_ts, excluded.from_ts)", "excluded.from_ts")},
            to_ts = {dialect.Larger("COALESCE(diagnosis_queue.to_ts, excluded.to_ts)", "excluded.to_ts")}
        """;
}

/// <summary>A room marked for diagnosis with the time range (Unix ms) that changed.</summary>
internal sealed record RoomMark(TeamId Team, RoomId Room, long From, long To);
