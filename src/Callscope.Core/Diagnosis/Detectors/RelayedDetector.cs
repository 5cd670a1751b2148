namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>relayed</c>: media through a TURN relay (the sample's <c>candidate_type</c> is <c>relay</c>). Information, not
/// a fault, so a warning; cleared by a sample on any other candidate type.
/// </summary>
internal sealed class RelayedDetector : EventDetector
{
    protected override string Kind => IssueKinds.Relayed;

    protected override IssueSeverity Severity => IssueSeverity.Warning;

    protected override string Metric => "candidate_type";

    protected override (bool Problem, string? Detail)? Observe(DiagnosisEvent e) =>
        e.Type != QualitySample.Type || QualitySample.CandidateType(e) is not { } candidate ? null
        : (candidate == "relay", candidate);

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Media went through a TURN relay ({evidence.Count} sample(s)), which adds delay and often means a firewall blocks direct connections.";
}
