namespace Callscope.Data.Usage;

/// <summary>A stored session as the usage reads it: where it is and when it started.</summary>
internal sealed record UsageSession(string Id, string Room, long Start);

/// <summary>
/// A stored participant as the usage reads it: its device slot, its first join, and its connections with every
/// open end resolved (the session's end, or now), in Unix milliseconds.
/// </summary>
internal sealed record UsageParticipant(string Session, int Device, long Join, (long From, long To)[] Connections);

/// <summary>
/// The usage of a set of sessions within <c>[from, to)</c>, computed straight from their participants: the one
/// definition every stored roll-up is checked against (docs/statistics.md).
/// </summary>
internal static class UsageSweep
{
    public static UsageCounts Measure(IEnumerable<UsageSession> sessions, ILookup<string, UsageParticipant> participants, long from, long to) =>
        Measure(sessions.Select(s => (s, participants[s.Id])), from, to);

    /// <summary>The same, over each session with its participants, as a caller that has them side by side gives them.</summary>
    public static UsageCounts Measure(IEnumerable<(UsageSession Session, IEnumerable<UsageParticipant> Participants)> sessions, long from, long to)
    {
        var counts = new UsageCounts();
        var sessionEdges = new List<(long At, int Delta)>();
        var participantEdges = new List<(long At, int Delta)>();
        foreach (var (session, participants) in sessions)
        {
            if (session.Start >= from && session.Start < to)
            {
                counts.Sessions++;
            }

            var own = new List<(long At, int Delta)>();
            var present = new List<(long From, long To)>();
            foreach (var p in participants)
            {
                if (p.Join >= from && p.Join < to)
                {
                    counts.Joined[p.Device]++;
                }

                var clipped = p.Connections.Select(c => (From: Math.Max(c.From, from), To: Math.Min(c.To, to))).Where(c => c.To > c.From).ToList();
                counts.Ms[p.Device] += clipped.Sum(c => c.To - c.From);
                foreach (var (start, end) in Merge(clipped))
                {
                    own.Add((start, 1));
                    own.Add((end, -1));
                    present.Add((start, end));
                }
            }

            participantEdges.AddRange(own);
            counts.PeakPerSession = Math.Max(counts.PeakPerSession, Peak(own));
            foreach (var (start, end) in Merge(present))
            {
                sessionEdges.Add((start, 1));
                sessionEdges.Add((end, -1));
            }
        }

        counts.PeakSessions = Peak(sessionEdges);
        counts.PeakParticipants = Peak(participantEdges);
        return counts;
    }

    /// <summary>Overlapping or touching intervals joined into one.</summary>
    public static List<(long From, long To)> Merge(IEnumerable<(long From, long To)> intervals)
    {
        var merged = new List<(long From, long To)>();
        foreach (var (start, end) in intervals.OrderBy(i => i.From))
        {
            if (merged.Count > 0 && start <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }

        return merged;
    }

    /// <summary>The highest level the edges reach; at one instant, leaving comes before joining.</summary>
    public static int Peak(List<(long At, int Delta)> edges)
    {
        edges.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        var level = 0;
        var peak = 0;
        foreach (var (_, delta) in edges)
        {
            level += delta;
            peak = Math.Max(peak, level);
        }

        return peak;
    }
}
