namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>What one event tells a detector about its condition: nothing, that it does not hold, or that it holds.</summary>
internal enum Verdict
{
    None,
    Clear,
    Holds,
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
        var connections = new Connections<Connection>();
        var issues = new List<DiagnosedIssue>();
        foreach (var e in events)
        {
            var connection = connections.Find(e.ConnectionId) ?? connections.Add(e.ConnectionId, new Connection(Start(thresholds)));
            if (e.Type == Events.EventTypes.ParticipantLeft)
            {
                if (connection.Open is { } open)
                {
                    issues.Add(Close(open, e.Timestamp, thresholds));
                }

                connection.Reading = Start(thresholds);
                connection.Open = null;
                continue;
            }

            connection.Open = Step(connection.Reading, connection.Reading.See(e), connection.Open, e, issues, thresholds);
        }

        foreach (var connection in connections.InOrder)
        {
            if (connection.Open is { } open)
            {
                issues.Add(Close(open, null, thresholds));
            }
        }

        return issues;
    }

    private IssueRange? Step(Reading reading, Verdict verdict, IssueRange? open, DiagnosisEvent e, List<DiagnosedIssue> issues, DiagnosisThresholds thresholds)
    {
        switch (verdict)
        {
            case Verdict.None:
                return open;
            case Verdict.Clear:
                if (open is not null)
                {
                    issues.Add(Close(open, e.Timestamp, thresholds));
                }

                return null;
            default:
                if (open is not null)
                {
                    if (reading.Current() is { } current)
                    {
                        open.Add(current);
                    }

                    return open;
                }

                var raise = reading.Raised();
                var raised = new IssueRange(raise.Count > 0 ? raise[0].At : e.Timestamp, e.ConnectionId, LowerIsWorse);
                foreach (var sample in raise)
                {
                    raised.Add(sample);
                }

                return raised;
        }
    }

    private DiagnosedIssue Close(IssueRange range, DateTimeOffset? endedAt, DiagnosisThresholds thresholds)
    {
        var evidence = range.Evidence(Metric, Threshold(thresholds));
        return new DiagnosedIssue(Kind, Severity, range.StartedAt, endedAt, range.ConnectionId, evidence, Summary(evidence, thresholds));
    }

    private sealed class Connection(Reading reading)
    {
        public Reading Reading { get; set; } = reading;

        public IssueRange? Open { get; set; }
    }

    /// <summary>
    /// One connection's events read in order. <see cref="See"/> says what an event tells; right after it said
    /// <see cref="Verdict.Holds"/>, <see cref="Raised"/> gives the samples that show the condition when no issue is open
    /// (the first one giving the start; none: it starts at the event), and <see cref="Current"/> the sample to add to the
    /// open issue. Evidence is made only when it is asked for.
    /// </summary>
    internal abstract class Reading
    {
        public abstract Verdict See(DiagnosisEvent e);

        public abstract IReadOnlyList<EvidenceSample> Raised();

        public abstract EvidenceSample? Current();
    }
}
