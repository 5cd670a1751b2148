namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// A detector whose condition each event raises or clears on its own: raised at the first event that shows the
/// problem (later ones while it holds are added to the evidence), cleared at the first event that shows it over.
/// </summary>
internal abstract class EventDetector : ConnectionDetector
{
    protected override double? Threshold(DiagnosisThresholds thresholds) => null;

    /// <summary>What the event says: the problem (true, with what to show of it), its end (false), or nothing (null).</summary>
    protected abstract (bool Problem, string? Detail)? Observe(DiagnosisEvent e);

    protected override Reading Start(DiagnosisThresholds thresholds) => new EventReading(this);

    private sealed class EventReading(EventDetector detector) : Reading
    {
        private EvidenceSample? _sample;

        public override Verdict See(DiagnosisEvent e)
        {
            if (detector.Observe(e) is not { } observed)
            {
                return Verdict.None;
            }

            if (!observed.Problem)
            {
                return Verdict.Clear;
            }

            _sample = new EvidenceSample(e.Id, e.Timestamp, null, observed.Detail);
            return Verdict.Holds;
        }

        public override IReadOnlyList<EvidenceSample> Raised() => [_sample!];

        public override EvidenceSample? Current() => _sample;
    }
}
