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
        private readonly Queue<(DiagnosisEvent Event, double Value, bool Crossed)> _last = new();
        private (DiagnosisEvent Event, double Value, bool Crossed) _seen;

        public override Verdict See(DiagnosisEvent e)
        {
            if (e.Type != QualitySample.Type || detector.Read(e) is not { } value)
            {
                return Verdict.None;
            }

            _seen = (e, value, detector.Crosses(value, thresholds));
            _last.Enqueue(_seen);
            if (_last.Count > thresholds.SampleWindow)
            {
                _last.Dequeue();
            }

            var crossings = 0;
            foreach (var sample in _last)
            {
                crossings += sample.Crossed ? 1 : 0;
            }

            return crossings >= thresholds.CrossingsNeeded ? Verdict.Holds : Verdict.Clear;
        }

        public override IReadOnlyList<EvidenceSample> Raised()
        {
            var crossing = new List<EvidenceSample>(_last.Count);
            foreach (var sample in _last)
            {
                if (sample.Crossed)
                {
                    crossing.Add(new EvidenceSample(sample.Event.Id, sample.Event.Timestamp, sample.Value));
                }
            }

            return crossing;
        }

        /// <summary>The sample just seen, when it crossed.</summary>
        public override EvidenceSample? Current() =>
            _seen.Crossed ? new EvidenceSample(_seen.Event.Id, _seen.Event.Timestamp, _seen.Value) : null;
    }
}
