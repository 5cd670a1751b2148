namespace Callscope.Core.Diagnosis.Detectors;

/// <summary><c>high_rtt</c>: round-trip time above the threshold in 3 of the last 5 samples.</summary>
internal sealed class HighRttDetector : CrossingWindowDetector
{
    protected override string Kind => IssueKinds.HighRtt;

    protected override string Metric => "rtt_ms";

    protected override double? Threshold(DiagnosisThresholds thresholds) => thresholds.RttMs;

    protected override double? Read(DiagnosisEvent e) => QualitySample.Rtt(e);

    protected override bool Crosses(double value, DiagnosisThresholds thresholds) => value > thresholds.RttMs;

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Round-trip time was above {Show.Number(thresholds.RttMs)} ms in {evidence.Count} sample(s), up to {Show.Number(evidence.Worst)} ms.";
}
