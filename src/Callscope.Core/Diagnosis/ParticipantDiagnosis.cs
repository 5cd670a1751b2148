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
    /// share an id, the earlier one (by time) is kept, as it sorts first.
    /// </summary>
    public static IReadOnlyList<DiagnosisEvent> Order(IEnumerable<DiagnosisEvent> events) =>
        events
            .OrderBy(e => e.Timestamp)
            .ThenBy(e => e.Id, StringComparer.Ordinal)
            .DistinctBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
}
