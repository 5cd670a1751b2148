using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>What SPEC section 2 says must hold of any room's sessions, whatever events made them.</summary>
internal static class SessionInvariants
{
    public static void Check(IEnumerable<LawEvent> events, IReadOnlyList<SessionRecord> sessions, DateTimeOffset now, string context)
    {
        var leaves = events.Where(e => e.Kind == LawKind.Leave).ToList();
        var everyConnection = sessions.SelectMany(s => s.Participants).SelectMany(p => p.Connections).ToList();
        var openedBy = sessions.SelectMany(s => s.Participants).SelectMany(p => p.Connections).ToLookup(c => c.OpenEventId, StringComparer.Ordinal);
        foreach (var join in events.Where(e => e is { Kind: LawKind.Join, Passive: false }).DistinctBy(e => e.Id))
        {
            That(openedBy[join.Id].Count() == 1, $"the join {join.Id} opens exactly one connection", context);
        }

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
            That(!open.Exists(c => c.ConnectionId is { } id && leaves.Exists(l => l.ConnectionId == id && LeftAfter(l, c, everyConnection))),
                "a connection whose leave was received is not open", context);
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
            That(LongestEmptyStretch(connections) < session.GracePeriod, "a session is never empty for a whole grace period", context);
            That(session.Participants.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count() == session.Participants.Count,
                "one identity is one participant in a session", context);
        }
    }

    /// <summary>
    /// The leave comes after the connection opened: later, or at the same instant when no other connection of that id
    /// exists (a leave and a join of an id seen before, at one instant, may be a late leave and a rejoin).
    /// </summary>
    private static bool LeftAfter(LawEvent leave, ConnectionRecord connection, List<ConnectionRecord> everyConnection) =>
        leave.Time > connection.JoinTime
        || leave.Time == connection.JoinTime
            && !everyConnection.Exists(other => other != connection && other.ConnectionId == connection.ConnectionId);

    /// <summary>The longest time between the session's first join and its last leave when no active connection was open.</summary>
    private static TimeSpan LongestEmptyStretch(IEnumerable<ConnectionRecord> connections)
    {
        var longest = TimeSpan.Zero;
        DateTimeOffset? coveredUntil = null;
        foreach (var connection in connections.Where(c => !c.Passive).OrderBy(c => c.JoinTime))
        {
            if (coveredUntil is { } until && connection.JoinTime - until > longest)
            {
                longest = connection.JoinTime - until;
            }

            var leaves = connection.LeaveTime ?? DateTimeOffset.MaxValue;
            coveredUntil = coveredUntil is { } u && u > leaves ? u : leaves;
        }

        return longest;
    }

    private static void That(bool holds, string rule, string context)
    {
        if (!holds)
        {
            Assert.Fail($"Broken: {rule}\n{context}");
        }
    }
}
