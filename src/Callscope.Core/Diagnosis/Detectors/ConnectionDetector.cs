namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// What one event tells a detector about its condition: it holds or not, with the samples that show it when it is
/// raised (<see cref="Raise"/>, the first one giving the start) and the one to add while it goes on (<see cref="Current"/>).
/// </summary>
internal sealed record Verdict(bool Holds, IReadOnlyList<EvidenceSample> Raise, EvidenceSample? Current)
{
    public static readonly Verdict Clear = new(false, [], null);
}

/// <summary>
/// A detector whose condition belongs to one connection: each connection's events are read in order by a fresh
/// <see cref="Reading"/>; the issue opens when the condition begins to hold and closes at the event where it stops,
/// or at the connection's leave. An issue still open after the last event is ongoing.
/// </summary>
internal abstract class ConnectionDetector : IDetector
{
    protected abstract string Kind { get; }

    protected abstract IssueSeverity Severity { get; }

    protected abstract string Metric { get; }

    protected virtual bool LowerIsWorse => false;

    protected abstract double? Threshold(DiagnosisThresholds thresholds);

    protected abstract string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds);

    protected abstract Reading Start(DiagnosisThresholds thresholds);

    public IEnumerable<DiagnosedIssue> Detect(IReadOnlyList<DiagnosisEvent> events, DiagnosisThresholds thresholds)
    {
        var connections = new Dictionary<string, (Reading Reading, IssueRange? Open)>(StringComparer.Ordinal);
        var issues = new List<DiagnosedIssue>();
        foreach (var e in events)
        {
            if (!connections.TryGetValue(e.ConnectionKey, out var connection))
            {
                connection = (Start(thresholds), null);
            }

            if (e.Type == Events.EventTypes.ParticipantLeft)
            {
                if (connection.Open is { } open)
                {
                    issues.Add(Close(open, e.Timestamp, thresholds));
                }

                connections[e.ConnectionKey] = (Start(thresholds), null);
                continue;
            }

            connections[e.ConnectionKey] = (connection.Reading, Step(connection.Reading.See(e), connection.Open, e, issues, thresholds));
        }

        issues.AddRange(connections.Values.Where(c => c.Open is not null).Select(c => Close(c.Open!, null, thresholds)));
        return issues;
    }

    private IssueRange? Step(Verdict? verdict, IssueRange? open, DiagnosisEvent e, List<DiagnosedIssue> issues, DiagnosisThresholds thresholds)
    {
        switch (verdict)
        {
            case null:
                return open;
            case { Holds: false }:
                if (open is not null)
                {
                    issues.Add(Close(open, e.Timestamp, thresholds));
                }

                return null;
            case { Holds: true } when open is null:
                var raised = new IssueRange(verdict.Raise.Count > 0 ? verdict.Raise[0].At : e.Timestamp, e.ConnectionId, LowerIsWorse);
                foreach (var sample in verdict.Raise)
                {
                    raised.Add(sample);
                }

                return raised;
            default:
                if (verdict.Current is { } current)
                {
                    open.Add(current);
                }

                return open;
        }
    }

    private DiagnosedIssue Close(IssueRange range, DateTimeOffset? endedAt, DiagnosisThresholds thresholds)
    {
        var evidence = range.Evidence(Metric, Threshold(thresholds));
        return new DiagnosedIssue(Kind, Severity, range.StartedAt, endedAt, range.ConnectionId, evidence, Summary(evidence, thresholds));
    }

    /// <summary>One connection's events read in order; null for an event that says nothing about the condition.</summary>
    internal abstract class Reading
    {
        public abstract Verdict? See(DiagnosisEvent e);
    }
}
