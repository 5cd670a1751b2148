using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>What SPEC section 2 says must hold of any room's sessions, whatever events made them.</summary>
internal static class SessionInvariants
{
    public static void Check(IReadOnlyList<SessionRecord> sessions, DateTimeOffset now, string context)
    {
        for (var i = 0; i < sessions.Count; i++)
        {
            var session = sessions[i];
            var connections = session.Participants.SelectMany(p => p.Connections).ToList();
            var open = connections.Where(c => c.LeaveTime is null).ToList();
            var isLast = i == sessions.Count - 1;

            That(isLast || session.End is { } end && end <= sessions[i + 1].Start, "sessions do not overlap and only the last is live", context);
            That(session.End is not { } e || e >= session.Start, "a session ends after it starts", context);
            That(connections.Exists(c => !c.Passive), "a session has a participant who is not passive", context);
            That(connections.TrueForAll(c => c.JoinTime >= session.Start && (c.LeaveTime is not { } left || left >= c.JoinTime && (session.End is not { } sessionEnd || left <= sessionEnd))),
                "every connection lies inside its session", context);
            That(session.End is null || open.Count == 0, "an ended session has no open connection", context);
            That(session.ActiveConnections == open.Count(c => !c.Passive), "active connections are the open ones that are not passive", context);
            That(session.Status == SessionStatus.Live == (session.End is null && session.ActiveConnections > 0), "a session is live exactly while active", context);
            That(session.EndReason != EndReasons.GraceExpired || session.End == session.LastParticipantLeftAt + session.GracePeriod,
                "a session ended by grace ends at L + grace", context);
            That(session.EndReason != EndReasons.SessionLength || session.End == session.Start + session.SessionLength,
                "a session ended by length ends at start + length", context);
            That(session.End is not null || session.Deadline is not { } due || due.At > now, "a live session's deadline is still ahead", context);
            That(session.MaxConcurrentParticipants >= 1
                && session.MaxConcurrentParticipants <= session.Participants.Count(p => p.Connections.Exists(c => !c.Passive)),
                "the peak of participants is between one and all of them", context);
            That(session.Participants.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count() == session.Participants.Count,
                "one identity is one participant in a session", context);
        }
    }

    private static void That(bool holds, string rule, string context)
    {
        if (!holds)
        {
            Assert.Fail($"Broken: {rule}\n{context}");
        }
    }
}
