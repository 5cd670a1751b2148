namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// Raised when <see cref="DiagnosisThresholds.CrossingsNeeded"/> of a connection's last
/// <see cref="DiagnosisThresholds.SampleWindow"/> samples that carry the metric cross the threshold; cleared at the
/// first sample after which fewer do. The issue starts at the first crossing sample of the window that raised it.
/// </summary>
internal abstract class CrossingWindowDetector : ConnectionDetector
{
    protected override IssueSeverity Severity => IssueSeverity.Warning;

    protected abstract double? Read(DiagnosisEvent e);

    protected abstract bool Crosses(double value, DiagnosisThresholds thresholds);

    protected override Reading Start(DiagnosisThresholds thresholds) => new Window(this, thresholds);

    private sealed class Window(CrossingWindowDetector detector, DiagnosisThresholds thresholds) : Reading
    {
        private readonly Queue<(EvidenceSample Sample, bool Crossed)> _last = new();

        public override Verdict? See(DiagnosisEvent e)
        {
            if (e.Type != QualitySample.Type || detector.Read(e) is not { } value)
            {
                return null;
            }

            var sample = new EvidenceSample(e.Id, e.Timestamp, value);
            var crossed = detector.Crosses(value, thresholds);
            _last.Enqueue((sample, crossed));
            if (_last.Count > thresholds.SampleWindow)
            {
                _last.Dequeue();
            }

            var crossings = _last.Count(s => s.Crossed);
            return crossings >= thresholds.CrossingsNeeded
                ? new Verdict(true, _last.Where(s => s.Crossed).Select(s => s.Sample).ToList(), crossed ? sample : null)
                : Verdict.Clear;
        }
    }
}
