using Callscope.Core.Diagnosis.Detectors;

namespace Callscope.Core.Diagnosis;

/// <summary>
/// The diagnosis of one participant: every issue its stored events show. A pure function of the event set and the
/// thresholds: events are ordered by (timestamp, id) and an id seen twice counts once, so arrival order and repeated
/// deliveries change nothing. Issues come ordered by start, kind and connection.
/// </summary>
public static class ParticipantDiagnosis
{
    /// <summary>An issue lists at most this many samples in its evidence; <see cref="IssueEvidence.Count"/> counts them all.</summary>
    public const int MaxEvidenceSamples = 50;

    private static readonly IDetector[] Detectors =
    [
        new HighRttDetector(), new HighJitterDetector(), new HighPacketLossDetector(), new LowMosDetector(),
        new ReconnectStormDetector(), new LongReconnectDetector(), new MediaFailedDetector(), new DeviceProblemDetector(),
        new LimitedQualityDetector(), new RelayedDetector(), new SilentMediaDetector(),
    ];

    public static IReadOnlyList<DiagnosedIssue> Diagnose(IEnumerable<DiagnosisEvent> events) =>
        Diagnose(events, DiagnosisThresholds.Default);

    public static IReadOnlyList<DiagnosedIssue> Diagnose(IEnumerable<DiagnosisEvent> events, DiagnosisThresholds thresholds)
    {
        var ordered = Order(events);
        return Detectors
            .SelectMany(d => d.Detect(ordered, thresholds))
            .OrderBy(i => i.StartedAt)
            .ThenBy(i => i.Kind, StringComparer.Ordinal)
            .ThenBy(i => i.ConnectionId, StringComparer.Ordinal)
            .ThenBy(i => i.EndedAt ?? DateTimeOffset.MaxValue)
            .ToList();
    }

    /// <summary>
    /// The events in (timestamp, id) order, each id once. A stored event set holds each id once; should two events
    /// share an id, the earlier one (by time) is kept, as it sorts first. Events read from the store come in this order
    /// already: then they are only checked, not sorted again.
    /// </summary>
    public static IReadOnlyList<DiagnosisEvent> Order(IEnumerable<DiagnosisEvent> events)
    {
        var all = events.ToArray();
        var sorted = InOrder(all) ? all : [.. all.OrderBy(e => e.Timestamp).ThenBy(e => e.Id, StringComparer.Ordinal)];
        var seen = new HashSet<string>(sorted.Length, StringComparer.Ordinal);
        var ordered = new List<DiagnosisEvent>(sorted.Length);
        foreach (var e in sorted)
        {
            if (seen.Add(e.Id))
            {
                ordered.Add(e);
            }
        }

        return ordered;
    }

    /// <summary>Whether no event sorts before the one ahead of it, so that a stable sort would leave them as they are.</summary>
    private static bool InOrder(DiagnosisEvent[] events)
    {
        for (var i = 1; i < events.Length; i++)
        {
            var byTime = events[i - 1].Timestamp.CompareTo(events[i].Timestamp);
            if (byTime > 0 || (byTime == 0 && string.CompareOrdinal(events[i - 1].Id, events[i].Id) > 0))
            {
                return false;
            }
        }

        return true;
    }
}
