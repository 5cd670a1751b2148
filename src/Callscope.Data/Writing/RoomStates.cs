using Callscope.Core;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

/// <summary>
/// The writer's memory of each busy room's law state, so that in-order events take the fast path. It is only a
/// cache: every entry can be rebuilt from the room's stored events, and an entry whose room version differs from
/// the store's (another node wrote the room) is not used. It holds at most <see cref="WriterMemory.Rooms"/> rooms,
/// dropping the least recently used first, and drops a room unused for <see cref="WriterMemory.RoomIdle"/>, so that
/// the memory it takes follows the rooms in use, not the rooms live.
/// </summary>
internal sealed class RoomStates(WriterMemory memory)
{
    private readonly Dictionary<RoomId, LinkedListNode<Entry>> rooms = [];

    // Most recently used first.
    private readonly LinkedList<Entry> order = new();

    private sealed class Entry(RoomId room, TeamId team, RoomSweep sweep, long version)
    {
        public RoomId Room { get; } = room;

        public TeamId Team { get; set; } = team;

        public RoomSweep Sweep { get; set; } = sweep;

        public long Version { get; set; } = version;

        public long UsedAt { get; set; }
    }

    public int Count => rooms.Count;

    /// <summary>The writer's clock at the start of its transaction, in milliseconds: when the rooms it uses are used.</summary>
    private long now;

    public bool Contains(RoomId room) => rooms.ContainsKey(room);

    public bool TryGet(RoomId room, long version, out RoomSweep sweep)
    {
        if (rooms.TryGetValue(room, out var node) && node.Value.Version == version)
        {
            Use(node);
            sweep = node.Value.Sweep;
            return true;
        }

        sweep = null!;
        return false;
    }

    public void Put(TeamId team, RoomId room, RoomSweep sweep, long version)
    {
        if (rooms.TryGetValue(room, out var node))
        {
            (node.Value.Team, node.Value.Sweep, node.Value.Version) = (team, sweep, version);
            Use(node);
            return;
        }

        rooms[room] = order.AddFirst(new Entry(room, team, sweep, version) { UsedAt = now });
        while (rooms.Count > memory.Rooms && order.Last is { } oldest)
        {
            Remove(oldest);
        }
    }

    public void Forget(RoomId room)
    {
        if (rooms.TryGetValue(room, out var node))
        {
            Remove(node);
        }
    }

    public void Clear()
    {
        rooms.Clear();
        order.Clear();
    }

    /// <summary>A transaction starts at <paramref name="at"/>: the rooms not used for <see cref="WriterMemory.RoomIdle"/> before it are dropped.</summary>
    public void Begin(DateTimeOffset at)
    {
        now = at.ToUnixTimeMilliseconds();
        var before = now - (long)memory.RoomIdle.TotalMilliseconds;
        while (order.Last is { } oldest && oldest.Value.UsedAt <= before)
        {
            Remove(oldest);
        }
    }

    public IEnumerable<RoomId> OfTeam(TeamId team) => order.Where(e => e.Team == team).Select(e => e.Room).ToList();

    private void Use(LinkedListNode<Entry> node)
    {
        node.Value.UsedAt = now;
        if (node != order.First)
        {
            order.Remove(node);
            order.AddFirst(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        rooms.Remove(node.Value.Room);
        order.Remove(node);
    }
}
