using System.Globalization;
using System.Text;
using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>
/// A canonical, readable rendering of computed sessions: everything the law decides except session ids, so that
/// two results can be compared as strings and a difference shows as a line of text.
/// </summary>
internal static class SessionText
{
    public static string Describe(IEnumerable<SessionRecord> sessions)
    {
        var text = new StringBuilder();
        foreach (var session in sessions)
        {
            Describe(session, text);
        }

        return text.Length == 0 ? "(no sessions)" : text.ToString();
    }

    /// <summary>One event on one line, as in a failing property's input.</summary>
    public static string Describe(LawEvent e)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{Time(e.Time)} {e.Kind} {e.ExternalId ?? "-"} conn={e.ConnectionId ?? "-"} id={e.Id}"));
        text.Append(e.JoinedAt is { } joinedAt ? $" joined-at={Time(joinedAt)}" : "");
        text.Append(e.Reason is { } reason ? $" reason={reason}" : "");
        text.Append(e.EndReason is { } endReason ? $" end={endReason} by={e.EndedBy}" : "");
        text.Append(e.Name is { } name ? $" name={name}" : "");
        return text.Append(e.Passive ? " passive" : "").ToString();
    }

    public static string Time(DateTimeOffset time)
    {
        var offset = time - LawEvents.T;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        var text = string.Create(CultureInfo.InvariantCulture, $"{sign}{(long)offset.TotalMinutes}:{offset.Seconds:00}");
        return offset.Milliseconds == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}.{offset.Milliseconds:000}");
    }

    private static void Describe(SessionRecord session, StringBuilder text)
    {
        var deadline = session.Deadline is { } due ? $"{Time(due.At)} {due.Reason}" : "-";
        text.Append(CultureInfo.InvariantCulture,
            $"session {Time(session.Start)} -> {Optional(session.End)} end={session.EndReason ?? "-"} by={session.EndedBy ?? "-"}");
        text.Append(CultureInfo.InvariantCulture,
            $" status={session.Status} active={session.ActiveConnections} deadline={deadline}");
        text.Append(CultureInfo.InvariantCulture,
            $" last-left={Optional(session.LastParticipantLeftAt)} max={session.MaxConcurrentParticipants}");
        text.Append(CultureInfo.InvariantCulture,
            $" grace={session.GracePeriod.TotalSeconds}s length={(session.SessionLength is { } l ? $"{l.TotalSeconds}s" : "-")}\n");
        foreach (var participant in session.Participants.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var client = participant.Client is { } c ? $"{c.Device}/{c.Os}/{c.Browser}" : "-";
            text.Append(CultureInfo.InvariantCulture,
                $"  participant {participant.Key} external={participant.ExternalId ?? "-"} name={participant.Name ?? "-"} role={participant.Role ?? "-"} client={client}\n");
            foreach (var connection in participant.Connections)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"    connection {connection.ConnectionId ?? "-"} opened-by={connection.OpenEventId} {Time(connection.JoinTime)}..{Optional(connection.LeaveTime)} {connection.LeaveReason ?? "-"}");
                text.Append(connection.JoinMissing ? " join-missing" : "").Append(connection.Passive ? " passive" : "").Append('\n');
            }
        }
    }

    private static string Optional(DateTimeOffset? time) => time is { } t ? Time(t) : "open";
}
