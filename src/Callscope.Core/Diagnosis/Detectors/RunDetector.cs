namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// Raised when a connection's samples show a state without a break for at least a duration: from the first sample
/// of the run to the current one. Cleared at the first sample that shows the state over; samples that do not say
/// either way are passed over. The evidence's metric is the run's length in seconds at each sample.
/// </summary>
internal abstract class RunDetector : ConnectionDetector
{
    protected override IssueSeverity Severity => IssueSeverity.Warning;

    protected abstract TimeSpan Duration(DiagnosisThresholds thresholds);

    protected override double? Threshold(DiagnosisThresholds thresholds) => Duration(thresholds).TotalSeconds;

    /// <summary>Whether the event shows the state (with what to say of it), shows it over (false) or says nothing (null).</summary>
    protected abstract (bool InState, string? Detail)? Observe(DiagnosisEvent e, RunReading reading);

    protected override Reading Start(DiagnosisThresholds thresholds) => new RunReading(this, Duration(thresholds));

    internal sealed class RunReading(RunDetector detector, TimeSpan duration) : Reading
    {
        private readonly List<(DiagnosisEvent Event, string? Detail)> _run = [];
        private bool _raised;
        private bool _raisedNow;
        private (DiagnosisEvent Event, string? Detail) _seen;

        /// <summary>State a detector keeps across events of the connection (whether audio is enabled).</summary>
        public bool Flag { get; set; }

        public override Verdict See(DiagnosisEvent e)
        {
            _raisedNow = false;
            if (detector.Observe(e, this) is not { } observed)
            {
                return Verdict.None;
            }

            if (!observed.InState)
            {
                _run.Clear();
                _raised = false;
                return Verdict.Clear;
            }

            _seen = (e, observed.Detail);
            if (_raised)
            {
                return Verdict.Holds;
            }

            _run.Add(_seen);
            if (e.Timestamp - _run[0].Event.Timestamp < duration)
            {
                return Verdict.None;
            }

            _raised = _raisedNow = true;
            return Verdict.Holds;
        }

        /// <summary>The whole run when the event just seen raised it; none while it goes on.</summary>
        public override IReadOnlyList<EvidenceSample> Raised() => _raisedNow ? [.. _run.Select(r => Sample(r.Event, r.Detail))] : [];

        public override EvidenceSample? Current() => Sample(_seen.Event, _seen.Detail);

        private EvidenceSample Sample(DiagnosisEvent e, string? detail) =>
            new(e.Id, e.Timestamp, (e.Timestamp - _run[0].Event.Timestamp).TotalSeconds, detail);
    }
}
