using System.Text;
using Callscope.Core.Law;
using CsCheck;

namespace Callscope.Core.Tests.Support;

/// <summary>One room of a generated history: its settings, its distinct events, and the time it is looked at.</summary>
internal sealed record GeneratedRoom(string Name, RoomPolicy Policy, IReadOnlyList<LawEvent> Events, DateTimeOffset Now);

/// <summary>One event as it reaches the service: for which room, in what position of the arrival stream.</summary>
internal readonly record struct Delivery(string Room, LawEvent Event);

/// <summary>Several rooms' events, delivered interleaved, in some arrival order, some of them more than once.</summary>
internal sealed record GeneratedHistory(IReadOnlyList<GeneratedRoom> Rooms, IReadOnlyList<Delivery> Arrivals)
{
    public IEnumerable<LawEvent> ArrivalsIn(GeneratedRoom room) =>
        Arrivals.Where(d => d.Room == room.Name).Select(d => d.Event);

    public override string ToString()
    {
        var text = new StringBuilder().AppendLine();
        foreach (var room in Rooms)
        {
            var length = room.Policy.SessionLength is { } l ? $"{l.TotalSeconds}s" : "-";
            text.AppendLine($"room {room.Name}: grace={room.Policy.GracePeriod.TotalSeconds}s length={length} now={SessionText.Time(room.Now)}, arrivals:");
            foreach (var e in ArrivalsIn(room))
            {
                text.Append("  ").AppendLine(SessionText.Describe(e));
            }
        }

        return text.ToString();
    }
}

internal static class HistoryGenerator
{
    private static readonly RoomPolicy[] Policies =
    [
        RoomPolicy.Default,
        new(TimeSpan.FromSeconds(60), null),
        new(TimeSpan.FromSeconds(120), TimeSpan.FromMinutes(5)),
        new(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(3)),
    ];

    private static readonly Gen<Step> Steps = Gen.Select(
        Gen.Int[0, 11], Gen.Int[0, 4], Gen.Int[0, 6], Gen.Int[0, 3], Gen.Int[0, 7],
        (action, who, gap, variant, twist) => new Step(action, who, gap, variant, twist));

    private static readonly Gen<GeneratedRoom[]> Rooms =
        Gen.Select(Gen.Int[0, Policies.Length - 1], Steps.Array[1, 24], Gen.Int[0, 5]).Array[1, 3]
            .Select(rooms => rooms.Select((r, i) => Room($"r{i}", Policies[r.Item1], r.Item2, r.Item3)).ToArray());

    /// <summary>
    /// Histories of one to three rooms. Each event is delivered once, or (one time in ten each) twice or three
    /// times; the arrival order is a random shuffle, the law's own order with a few neighbours swapped (so that
    /// the fast path is taken often), or the law's order reversed.
    /// </summary>
    public static readonly Gen<GeneratedHistory> Histories =
        from rooms in Rooms
        let events = rooms.SelectMany(r => r.Events.Select(e => new Delivery(r.Name, e))).ToArray()
        from copies in Gen.Int[1, 10].Array[events.Length]
        from arrangement in Gen.Int[0, 3]
        from keys in Gen.Int.Array[events.Length * 3]
        select new GeneratedHistory(rooms, Arrange(events, copies, arrangement, keys));

    private static GeneratedRoom Room(string name, RoomPolicy policy, Step[] steps, int lookedAt)
    {
        var events = new RoomScript(name, policy).Play(steps);
        var first = events.Count == 0 ? LawEvents.T : events.Min(e => e.Time);
        var last = events.Count == 0 ? LawEvents.T : events.Max(e => e.Time);
        var now = lookedAt switch
        {
            0 => last,
            1 => last + policy.GracePeriod - TimeSpan.FromSeconds(1),
            2 => last + policy.GracePeriod,
            3 => last + policy.GracePeriod + TimeSpan.FromSeconds(1),
            4 => last + TimeSpan.FromDays(1),
            _ => first + ((last - first) / 2),
        };
        return new GeneratedRoom(name, policy, events, now);
    }

    private static Delivery[] Arrange(Delivery[] events, int[] copies, int arrangement, int[] keys)
    {
        List<Delivery> sent = [];
        for (var i = 0; i < events.Length; i++)
        {
            sent.AddRange(Enumerable.Repeat(events[i], copies[i] switch { 10 => 3, 9 => 2, _ => 1 }));
        }

        switch (arrangement)
        {
            case 0 or 1:
                return [.. sent.Select((d, i) => (d, key: keys[i])).OrderBy(x => x.key).Select(x => x.d)];
            case 2:
                var nearlyInOrder = sent.OrderBy(d => d.Event.Order).ToArray();
                for (var i = 0; i + 1 < nearlyInOrder.Length; i++)
                {
                    if (keys[i] % 4 == 0)
                    {
                        (nearlyInOrder[i], nearlyInOrder[i + 1]) = (nearlyInOrder[i + 1], nearlyInOrder[i]);
                    }
                }

                return nearlyInOrder;
            default:
                return [.. sent.OrderByDescending(d => d.Event.Order)];
        }
    }
}
