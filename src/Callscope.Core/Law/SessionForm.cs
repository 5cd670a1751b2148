namespace Callscope.Core.Law;

/// <summary>
/// Whether two computed sessions would be stored alike: every field the law computes, ids aside. Participants are
/// matched by key (they are stored as rows of their own, in no order); each one's connections in order (they are
/// stored as a list).
/// </summary>
public static class SessionForm
{
    public static bool Same(SessionRecord a, SessionRecord b)
    {
        if (!(a.Start == b.Start && a.End == b.End && a.EndReason == b.EndReason && a.EndedBy == b.EndedBy
            && a.LastParticipantLeftAt == b.LastParticipantLeftAt && a.ActiveConnections == b.ActiveConnections
            && a.MaxConcurrentParticipants == b.MaxConcurrentParticipants && a.GracePeriod == b.GracePeriod
            && a.SessionLength == b.SessionLength && a.Participants.Count == b.Participants.Count))
        {
            return false;
        }

        var others = b.Participants.ToDictionary(p => p.Key, StringComparer.Ordinal);
        return a.Participants.TrueForAll(p => others.TryGetValue(p.Key, out var q) && Same(p, q));
    }

    private static bool Same(ParticipantRecord a, ParticipantRecord b) =>
        a.Key == b.Key && a.ExternalId == b.ExternalId && a.Name == b.Name && a.Role == b.Role && a.Client == b.Client
        && a.Connections.Count == b.Connections.Count && a.Connections.Zip(b.Connections).All(c => Same(c.First, c.Second));

    private static bool Same(ConnectionRecord a, ConnectionRecord b) =>
        a.OpenEventId == b.OpenEventId && a.ConnectionId == b.ConnectionId && a.JoinTime == b.JoinTime
        && a.LeaveTime == b.LeaveTime && a.LeaveReason == b.LeaveReason && a.JoinMissing == b.JoinMissing && a.Passive == b.Passive;
}
