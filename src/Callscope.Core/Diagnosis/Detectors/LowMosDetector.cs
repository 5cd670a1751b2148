namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>low_mos</c>: the MOS below the threshold in 3 of the last 5 samples. A sample's own <c>mos</c> is read when it
/// has one, else the score is estimated from its RTT, jitter and loss (<see cref="MosEstimate"/>).
/// </summary>
internal sealed class LowMosDetector : CrossingWindowDetector
{
    protected override string Kind => IssueKinds.LowMos;

    protected override string Metric => "mos";

    protected override bool LowerIsWorse => true;

    protected override double? Threshold(DiagnosisThresholds thresholds) => thresholds.Mos;

    protected override double? Read(DiagnosisEvent e) => QualitySample.Mos(e) is { } mos ? Math.Round(mos, 2) : null;

    protected override bool Crosses(double value, DiagnosisThresholds thresholds) => value < thresholds.Mos;

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Call quality (MOS) was below {Show.Number(thresholds.Mos)} in {evidence.Count} sample(s), down to {Show.Number(evidence.Worst)}.";
}
