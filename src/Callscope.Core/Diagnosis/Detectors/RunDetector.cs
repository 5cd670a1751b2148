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

        /// <summary>State a detector keeps across events of the connection (whether audio is enabled).</summary>
        public bool Flag { get; set; }

        public override Verdict? See(DiagnosisEvent e)
        {
            if (detector.Observe(e, this) is not { } observed)
            {
                return null;
            }

            if (!observed.InState)
            {
                _run.Clear();
                _raised = false;
                return Verdict.Clear;
            }

            if (_raised)
            {
                return new Verdict(true, [], Sample(e, observed.Detail, _run[0].Event.Timestamp));
            }

            _run.Add((e, observed.Detail));
            var start = _run[0].Event.Timestamp;
            if (e.Timestamp - start < duration)
            {
                return null;
            }

            _raised = true;
            return new Verdict(true, _run.Select(r => Sample(r.Event, r.Detail, start)).ToList(), Sample(e, observed.Detail, start));
        }

        private static EvidenceSample Sample(DiagnosisEvent e, string? detail, DateTimeOffset start) =>
            new(e.Id, e.Timestamp, (e.Timestamp - start).TotalSeconds, detail);
    }
}
