namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>An issue being gathered: when it began, on which connection, and the evidence so far.</summary>
internal sealed class IssueRange(DateTimeOffset startedAt, string? connectionId, bool lowerIsWorse)
{
    private readonly List<EvidenceSample> _samples = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private double? _worst;
    private int _count;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public string? ConnectionId { get; } = connectionId;

    /// <summary>Adds a sample once, however often it is offered.</summary>
    public void Add(EvidenceSample sample)
    {
        if (!_seen.Add(sample.EventId))
        {
            return;
        }

        _count++;
        if (_samples.Count < ParticipantDiagnosis.MaxEvidenceSamples)
        {
            _samples.Add(sample);
        }

        if (sample.Value is { } value && (_worst is not { } worst || (lowerIsWorse ? value < worst : value > worst)))
        {
            _worst = value;
        }
    }

    public IssueEvidence Evidence(string metric, double? threshold) => new(metric, threshold, _worst, _count, _samples.ToList());
}
