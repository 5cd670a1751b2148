using Callscope.Core;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

/// <summary>
/// The writer's memory of each busy room's law state, so that in-order events take the fast path. It is only a
/// cache: every entry can be rebuilt from the room's stored events, and an entry whose room version differs from
/// the store's (another node wrote the room) is not used.
/// </summary>
internal sealed class RoomStates
{
    private readonly Dictionary<RoomId, Entry> rooms = [];

    private sealed record Entry(TeamId Team, RoomSweep Sweep, long Version);

    public int Count => rooms.Count;

    public bool TryGet(RoomId room, long version, out RoomSweep sweep)
    {
        if (rooms.TryGetValue(room, out var entry) && entry.Version == version)
        {
            sweep = entry.Sweep;
            return true;
        }

        sweep = null!;
        return false;
    }

    public void Put(TeamId team, RoomId room, RoomSweep sweep, long version) => rooms[room] = new Entry(team, sweep, version);

    public void Forget(RoomId room) => rooms.Remove(room);

    public void Clear() => rooms.Clear();

    public IEnumerable<RoomId> OfTeam(TeamId team) => rooms.Where(r => r.Value.Team == team).Select(r => r.Key).ToList();
}
