using Callscope.Core;

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
        var dialect = context.Dialect;
        foreach (var (room, mark) in rooms.OrderBy(r => r.Key.Value))
        {
            context.Execute(
                $"""
                INSERT INTO diagnosis_queue (room_id, team_id, version, done, from_ts, to_ts) VALUES (@room, @team, 1, 0, @from, @to)
                ON CONFLICT (room_id) DO UPDATE SET version = diagnosis_queue.version + 1,
                    from_ts = {dialect.Smaller("COALESCE(diagnosis_queue.from_ts, excluded.from_ts)", "excluded.from_ts")},
                    to_ts = {dialect.Larger("COALESCE(diagnosis_queue.to_ts, excluded.to_ts)", "excluded.to_ts")}
                """,
                new { room = room.ToString(), team = mark.Team.ToString(), from = mark.From, to = mark.To });
        }

        rooms.Clear();
    }
}
