using Callscope.Core.Events;

namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>long_reconnect</c>: a connection lost for the network and back more than 15 s later. Lost: a
/// <c>participant_left</c> with reason <c>network</c> (from the connection's <c>participant_reconnecting</c> when
/// one came first), or a <c>participant_reconnecting</c>. Back: the participant's next join, or the connection's
/// <c>participant_reconnected</c>. A loss the participant never came back from is not a reconnect: the leave
/// reason tells it.
/// </summary>
internal sealed class LongReconnectDetector : IDetector
{
    public IEnumerable<DiagnosedIssue> Detect(IReadOnlyList<DiagnosisEvent> events, DiagnosisThresholds thresholds)
    {
        var reconnecting = new Dictionary<string, DiagnosisEvent>(StringComparer.Ordinal);
        DiagnosisEvent? lost = null;
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case "participant_reconnecting":
                    reconnecting.TryAdd(e.ConnectionKey, e);
                    break;
                case "participant_reconnected":
                    if (reconnecting.Remove(e.ConnectionKey, out var from) && Long(from, e, thresholds) is { } back)
                    {
                        yield return back;
                    }

                    break;
                case EventTypes.ParticipantLeft:
                    var announced = reconnecting.Remove(e.ConnectionKey, out var start);
                    if (e.Members.Reason == "network")
                    {
                        lost ??= announced ? start : e;
                    }

                    break;
                case EventTypes.ParticipantJoined:
                    if (lost is not null && Long(lost, e, thresholds) is { } rejoined)
                    {
                        yield return rejoined;
                    }

                    lost = null;
                    break;
            }
        }
    }

    private static DiagnosedIssue? Long(DiagnosisEvent lost, DiagnosisEvent back, DiagnosisThresholds thresholds)
    {
        var gap = back.Timestamp - lost.Timestamp;
        if (gap <= thresholds.LongReconnect)
        {
            return null;
        }

        var samples = new List<EvidenceSample>
        {
            new(lost.Id, lost.Timestamp, 0, lost.Type),
            new(back.Id, back.Timestamp, gap.TotalSeconds, back.Type),
        };
        return new DiagnosedIssue(IssueKinds.LongReconnect, IssueSeverity.Error, lost.Timestamp, back.Timestamp, lost.ConnectionId,
            new IssueEvidence("reconnect_seconds", thresholds.LongReconnect.TotalSeconds, gap.TotalSeconds, samples.Count, samples),
            $"The connection was lost for {Show.Seconds(gap)} s before the participant was back.");
    }
}
