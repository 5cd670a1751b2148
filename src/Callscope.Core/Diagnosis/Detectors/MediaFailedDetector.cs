namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>media_failed</c>: a <c>media_connection_failed</c> event, or a sample whose <c>connection_state</c> is
/// <c>failed</c>. Cleared when media is back on the connection: a <c>participant_reconnected</c>, a join, or a
/// sample whose <c>connection_state</c> is <c>connected</c> or <c>completed</c>.
/// </summary>
internal sealed class MediaFailedDetector : EventDetector
{
    protected override string Kind => IssueKinds.MediaFailed;

    protected override IssueSeverity Severity => IssueSeverity.Error;

    protected override string Metric => "media_connection";

    protected override (bool Problem, string? Detail)? Observe(DiagnosisEvent e) => e.Type switch
    {
        "media_connection_failed" => (true, e.Members.Code ?? e.Members.Message ?? "media_connection_failed"),
        "participant_reconnected" or Events.EventTypes.ParticipantJoined => (false, null),
        QualitySample.Type => QualitySample.ConnectionState(e) switch
        {
            "failed" => (true, "connection_state failed"),
            "connected" or "completed" => (false, null),
            _ => null,
        },
        _ => null,
    };

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"The media connection failed ({string.Join(", ", evidence.Samples.Select(s => s.Detail).Distinct(StringComparer.Ordinal))}).";
}
