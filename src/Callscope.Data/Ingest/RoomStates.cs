using Callscope.Core;
using Callscope.Core.Law;

namespace Callscope.Data.Ingest;

/// <summary>
/// The writer's memory of each busy room's law state, so that in-order events take the fast path. It is only a
/// cache: every entry can be rebuilt from the room's stored events.
/// </summary>
internal sealed class RoomStates
{
    private readonly Dictionary<RoomId, (TeamId Team, RoomSweep Sweep)> rooms = [];

    public int Count => rooms.Count;

    public bool TryGet(RoomId room, out RoomSweep sweep)
    {
        var found = rooms.TryGetValue(room, out var entry);
        sweep = entry.Sweep;
        return found;
    }

    public void Put(TeamId team, RoomId room, RoomSweep sweep) => rooms[room] = (team, sweep);

    public void Forget(RoomId room) => rooms.Remove(room);

    public IEnumerable<RoomId> OfTeam(TeamId team) => rooms.Where(r => r.Value.Team == team).Select(r => r.Key).ToList();
}
