namespace Callscope.Core.Law;

/// <summary>The session law over a room's whole event set: the slow path, and the definition the fast path must match.</summary>
public static class RoomLaw
{
    /// <summary>Replays a room's events (any order, duplicates allowed) into a sweep positioned after the last one.</summary>
    public static RoomSweep Replay(IEnumerable<LawEvent> events, RoomPolicy policy)
    {
        var distinct = events.DistinctBy(e => e.Id, StringComparer.Ordinal).ToList();
        var joinTimes = distinct
            .Where(e => e.Kind == LawKind.Join)
            .GroupBy(e => e.ConnectionKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Time).ToList(), StringComparer.Ordinal);

        var ordered = new List<LawEvent>(distinct.Count);
        foreach (var e in distinct)
        {
            ordered.Add(e);
            if (e is { Kind: LawKind.Leave, JoinedAt: { } joinedAt } && joinedAt < e.Time
                && !(joinTimes.TryGetValue(e.ConnectionKey, out var times) && times.Exists(t => t >= joinedAt && t < e.Time)))
            {
                ordered.Add(RoomSweep.SyntheticJoinFor(e));
            }
        }

        ordered.Sort((a, b) => a.Order.CompareTo(b.Order));
        var sweep = new RoomSweep(policy);
        foreach (var e in ordered)
        {
            sweep.Append(e);
        }

        return sweep;
    }

    /// <summary>The sessions a room's events make at <paramref name="now"/>.</summary>
    public static IReadOnlyList<SessionRecord> Compute(IEnumerable<LawEvent> events, RoomPolicy policy, DateTimeOffset now) =>
        Replay(events, policy).ViewAt(now);
}
