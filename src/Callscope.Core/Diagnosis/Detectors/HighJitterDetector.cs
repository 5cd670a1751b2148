namespace Callscope.Core.Diagnosis.Detectors;

/// <summary><c>high_jitter</c>: jitter above the threshold in 3 of the last 5 samples.</summary>
internal sealed class HighJitterDetector : CrossingWindowDetector
{
    protected override string Kind => IssueKinds.HighJitter;

    protected override string Metric => "jitter_ms";

    protected override double? Threshold(DiagnosisThresholds thresholds) => thresholds.JitterMs;

    protected override double? Read(DiagnosisEvent e) => QualitySample.Jitter(e);

    protected override bool Crosses(double value, DiagnosisThresholds thresholds) => value > thresholds.JitterMs;

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Jitter was above {Show.Number(thresholds.JitterMs)} ms in {evidence.Count} sample(s), up to {Show.Number(evidence.Worst)} ms.";
}
