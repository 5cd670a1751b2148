namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>silent_media</c>: audio enabled, yet every audio bitrate the samples report (sent, received) is 0 for 30 s or
/// more. Audio counts as enabled from an <c>audio_enabled</c> of the connection to its <c>audio_disabled</c>, which
/// also ends the run.
/// </summary>
internal sealed class SilentMediaDetector : RunDetector
{
    protected override string Kind => IssueKinds.SilentMedia;

    protected override string Metric => "silent_seconds";

    protected override TimeSpan Duration(DiagnosisThresholds thresholds) => thresholds.SilentMedia;

    protected override (bool InState, string? Detail)? Observe(DiagnosisEvent e, RunReading reading)
    {
        switch (e.Type)
        {
            case "audio_enabled":
                reading.Flag = true;
                return null;
            case "audio_disabled":
                reading.Flag = false;
                return (false, null);
            case QualitySample.Type when reading.Flag:
                var (sent, received) = (QualitySample.AudioSent(e), QualitySample.AudioReceived(e));
                return sent is null && received is null ? null
                    : (sent ?? 0) == 0 && (received ?? 0) == 0 ? (true, Silence(sent, received))
                    : (false, null);
            default:
                return null;
        }
    }

    private static string Silence(double? sent, double? received) =>
        (sent, received) switch
        {
            (not null, not null) => "nothing sent or received",
            (not null, null) => "nothing sent",
            _ => "nothing received",
        };

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"Audio was enabled but no audio flowed for {Show.Number(evidence.Worst)} s.";
}
