using Callscope.Core.Events;

namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>reconnect_storm</c>: 3 or more reconnects within 10 minutes. A reconnect is a <c>participant_reconnecting</c>,
/// or a join after the participant's first that no <c>participant_reconnecting</c> announced (so one attempt counts
/// once). The storm starts at its first reconnect and holds while the window behind some moment holds enough
/// reconnects; it ends when the window empties below the count (10 minutes after the first reconnect of the last
/// qualifying run), once a later event of the participant shows that moment passed, or at the participant's last
/// leave when they left before it. Until then it is ongoing.
/// </summary>
internal sealed class ReconnectStormDetector : IDetector
{
    public IEnumerable<DiagnosedIssue> Detect(IReadOnlyList<DiagnosisEvent> events, DiagnosisThresholds thresholds)
    {
        var reconnects = Reconnects(events);
        var needed = thresholds.ReconnectStormCount;
        var window = thresholds.ReconnectStormWindow;
        if (events.Count == 0 || reconnects.Count < needed)
        {
            yield break;
        }

        var lastSeen = events[^1].Timestamp;
        var lastPresence = events.LastOrDefault(e => e.Type is EventTypes.ParticipantJoined or EventTypes.ParticipantLeft);
        var first = 0;
        while (first + needed - 1 < reconnects.Count)
        {
            if (reconnects[first + needed - 1].Timestamp - reconnects[first].Timestamp > window)
            {
                first++;
                continue;
            }

            // Extend the storm with every run of enough reconnects that is complete before the current one's window runs out.
            var last = first;
            var mostInWindow = needed;
            for (var next = first + 1; next + needed - 1 < reconnects.Count; next++)
            {
                if (reconnects[next].Timestamp > reconnects[last].Timestamp + window)
                {
                    break;
                }

                if (reconnects[next + needed - 1].Timestamp - reconnects[next].Timestamp <= window
                    && reconnects[next + needed - 1].Timestamp <= reconnects[last].Timestamp + window)
                {
                    last = next;
                }
            }

            var end = last + needed - 1;
            for (var i = first; i <= last; i++)
            {
                mostInWindow = Math.Max(mostInWindow, reconnects.Skip(i).TakeWhile(r => r.Timestamp - reconnects[i].Timestamp <= window).Count());
            }

            var over = reconnects[last].Timestamp + window;
            var lastInStorm = reconnects[end].Timestamp;
            DateTimeOffset? endedAt = lastSeen >= over ? over
                : lastPresence?.Type == EventTypes.ParticipantLeft ? Max(lastPresence.Timestamp, lastInStorm)
                : null;
            var samples = reconnects.Skip(first).Take(end - first + 1).Select(r => new EvidenceSample(r.Id, r.Timestamp, null, r.Type)).ToList();
            var evidence = new IssueEvidence("reconnects", needed, mostInWindow, samples.Count, samples.Take(ParticipantDiagnosis.MaxEvidenceSamples).ToList());
            yield return new DiagnosedIssue(IssueKinds.ReconnectStorm, IssueSeverity.Error, reconnects[first].Timestamp, endedAt,
                reconnects[first + needed - 1].ConnectionId, evidence,
                $"The participant reconnected {samples.Count} times, up to {mostInWindow} within {Show.Number(window.TotalMinutes)} minutes.");

            first = last + 1;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static List<DiagnosisEvent> Reconnects(IReadOnlyList<DiagnosisEvent> events)
    {
        var reconnects = new List<DiagnosisEvent>();
        var joined = false;
        var announced = false;
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case "participant_reconnecting":
                    reconnects.Add(e);
                    announced = true;
                    break;
                case "participant_reconnected":
                    announced = false;
                    break;
                case EventTypes.ParticipantJoined:
                    if (joined && !announced)
                    {
                        reconnects.Add(e);
                    }

                    joined = true;
                    announced = false;
                    break;
            }
        }

        return reconnects;
    }
}
