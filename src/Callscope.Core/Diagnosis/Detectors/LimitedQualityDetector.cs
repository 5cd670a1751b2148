namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>limited_quality</c>: the sent video limited by bandwidth or CPU (the sample's <c>quality_limitation</c>) in
/// every sample for 30 s or more. A sample saying <c>none</c> or <c>other</c> ends the run.
/// </summary>
internal sealed class LimitedQualityDetector : RunDetector
{
    protected override string Kind => IssueKinds.LimitedQuality;

    protected override string Metric => "limited_seconds";

    protected override TimeSpan Duration(DiagnosisThresholds thresholds) => thresholds.LimitedQuality;

    protected override (bool InState, string? Detail)? Observe(DiagnosisEvent e, RunReading reading) =>
        e.Type != QualitySample.Type || QualitySample.QualityLimitation(e) is not { } limitation ? null
        : limitation is "bandwidth" or "cpu" ? (true, limitation)
        : (false, null);

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds)
    {
        var causes = evidence.Samples.Select(s => s.Detail).Distinct().Order(StringComparer.Ordinal);
        return $"Sent video was limited by {string.Join(" and ", causes)} for {Show.Number(evidence.Worst)} s.";
    }
}
