namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>high_packet_loss</c>: the average packet loss of a connection's last 7 samples that carry it is above the
/// threshold. A window must be full to raise; the issue starts at the window's first sample and clears at the first
/// sample after which the average is at or under the threshold.
/// </summary>
internal sealed class HighPacketLossDetector : ConnectionDetector
{
    protected override string Kind => IssueKinds.HighPacketLoss;

    protected override IssueSeverity Severity => IssueSeverity.Warning;

    protected override string Metric => "packet_loss_pct";

    protected override double? Threshold(DiagnosisThresholds thresholds) => thresholds.PacketLossPct;

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Packet loss averaged above {Show.Number(thresholds.PacketLossPct)} % over {thresholds.LossWindow} samples, up to {Show.Number(evidence.Worst)} % in one sample.";

    protected override Reading Start(DiagnosisThresholds thresholds) => new Average(thresholds);

    private sealed class Average(DiagnosisThresholds thresholds) : Reading
    {
        private readonly Queue<(DiagnosisEvent Event, double Loss)> _last = new();
        private (DiagnosisEvent Event, double Loss) _seen;

        public override Verdict See(DiagnosisEvent e)
        {
            if (e.Type != QualitySample.Type || QualitySample.Loss(e) is not { } loss)
            {
                return Verdict.None;
            }

            _seen = (e, loss);
            _last.Enqueue(_seen);
            if (_last.Count > thresholds.LossWindow)
            {
                _last.Dequeue();
            }

            // Summed afresh over the small window, oldest first, so that the same samples always give the same average.
            var sum = 0.0;
            foreach (var sample in _last)
            {
                sum += sample.Loss;
            }

            var average = sum / _last.Count;
            return _last.Count == thresholds.LossWindow && average > thresholds.PacketLossPct ? Verdict.Holds : Verdict.Clear;
        }

        public override IReadOnlyList<EvidenceSample> Raised() => [.. _last.Select(s => new EvidenceSample(s.Event.Id, s.Event.Timestamp, s.Loss))];

        public override EvidenceSample? Current() => new(_seen.Event.Id, _seen.Event.Timestamp, _seen.Loss);
    }
}
