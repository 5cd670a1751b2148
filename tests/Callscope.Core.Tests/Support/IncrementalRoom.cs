using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>
/// A room fed the way the store feeds it: each event in arrival order takes the fast path when the sweep can
/// append it, else the room is replayed from everything received so far.
/// </summary>
internal sealed class IncrementalRoom(RoomPolicy policy)
{
    private readonly List<LawEvent> received = [];

    public RoomSweep Sweep { get; private set; } = new(policy);

    public int Appended { get; private set; }

    public int Replayed { get; private set; }

    public static IncrementalRoom Receiving(IEnumerable<LawEvent> arrivals, RoomPolicy policy)
    {
        var room = new IncrementalRoom(policy);
        foreach (var e in arrivals)
        {
            room.Receive(e);
        }

        return room;
    }

    public void Receive(LawEvent e)
    {
        received.Add(e);
        if (Sweep.CanAppend(e))
        {
            Sweep.Append(e);
            Appended++;
        }
        else
        {
            Sweep = RoomLaw.Replay(received, policy);
            Replayed++;
        }
    }
}
