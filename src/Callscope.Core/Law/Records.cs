namespace Callscope.Core.Law;

public static class EndReasons
{
    public const string GraceExpired = "grace_expired";
    public const string Moderator = "moderator";
    public const string Api = "api";
    public const string SessionLength = "session_length";
}

public static class LeaveReasons
{
    public const string Left = "left";
    public const string Network = "network";
    public const string SessionEnded = "session_ended";
    public const string RoomClosed = "room_closed";
}

/// <summary>One join..leave of one participant.</summary>
public sealed class ConnectionRecord
{
    public required string OpenEventId { get; init; }

    public string? ConnectionId { get; init; }

    public required DateTimeOffset JoinTime { get; init; }

    public DateTimeOffset? LeaveTime { get; set; }

    public string? LeaveReason { get; set; }

    /// <summary>The leave arrived and its join never did, and it carried no join time.</summary>
    public bool JoinMissing { get; init; }

    public bool Passive { get; init; }

    public ConnectionRecord Clone() => (ConnectionRecord)MemberwiseClone();
}

/// <summary>All connections of one identity in one session.</summary>
public sealed class ParticipantRecord
{
    /// <summary>The name an erased participant's record shows in place of its own.</summary>
    public const string ErasedName = "Deleted participant";

    /// <summary>
    /// Within a session, what makes events one participant: its external id, or else the event that joined it (see
    /// <see cref="ParticipantId.Derive"/>, which turns a key into the participant's id).
    /// </summary>
    public required string Key { get; init; }

    /// <summary>The key of the participant with this external id.</summary>
    public static string KeyOf(string externalId) => "x:" + externalId;

    public string? ExternalId { get; init; }

    /// <summary>The participant's personal data was erased: its record stands for what happened, not for whom.</summary>
    public bool Erased { get; init; }

    public string? Name { get; set; }

    public string? Role { get; set; }

    public ClientInfo? Client { get; set; }

    public List<ConnectionRecord> Connections { get; } = [];

    public DateTimeOffset JoinTime => Connections[0].JoinTime;

    public bool Live => Connections.Exists(c => c.LeaveTime is null);

    public DateTimeOffset? LeaveTime => Live ? null : Connections.Max(c => c.LeaveTime);

    public int Reconnects => Connections.Count - 1;

    public ParticipantRecord Clone()
    {
        var copy = new ParticipantRecord { Key = Key, ExternalId = ExternalId, Erased = Erased, Name = Name, Role = Role, Client = Client };
        copy.Connections.AddRange(Connections.Select(c => c.Clone()));
        return copy;
    }
}

public enum SessionStatus
{
    Live,
    EndingSoon,
    Ended,
}

/// <summary>One session as the law computes it.</summary>
public sealed class SessionRecord
{
    public SessionId? Id { get; set; }

    public required DateTimeOffset Start { get; init; }

    public DateTimeOffset? End { get; set; }

    public string? EndReason { get; set; }

    public string? EndedBy { get; set; }

    /// <summary>When the session last became empty (L).</summary>
    public DateTimeOffset? LastParticipantLeftAt { get; set; }

    /// <summary>Open connections that keep the session alive (passive ones do not count).</summary>
    public int ActiveConnections { get; set; }

    public int MaxConcurrentParticipants { get; set; }

    public required TimeSpan GracePeriod { get; set; }

    public TimeSpan? SessionLength { get; set; }

    public List<ParticipantRecord> Participants { get; } = [];

    public SessionStatus Status => StoredSession.StatusOf(End is not null, ActiveConnections);

    /// <summary>When the session ends if nothing else happens, and why; null while nothing is due.</summary>
    public (DateTimeOffset At, string Reason)? Deadline
    {
        get
        {
            if (End is not null)
            {
                return null;
            }

            (DateTimeOffset, string)? byLength = SessionLength is { } length ? (Start + length, EndReasons.SessionLength) : null;
            if (ActiveConnections > 0)
            {
                return byLength;
            }

            var byGrace = ((LastParticipantLeftAt ?? Start) + GracePeriod, EndReasons.GraceExpired);
            return byLength is { } l && l.Item1 < byGrace.Item1 ? l : byGrace;
        }
    }

    /// <summary>The deadline, once it has passed at <paramref name="now"/>; null while nothing is due by then.</summary>
    public (DateTimeOffset At, string Reason)? DueBy(DateTimeOffset now) =>
        Deadline is { } due && StoredSession.HasPassed(due.At, now) ? due : null;

    /// <summary>The session's state as the store keeps it, from which a reader works out where it stands later (<see cref="StoredSession.At"/>).</summary>
    public StoredSession Stored => new(End, EndReason, Deadline?.At, Deadline?.Reason, ActiveConnections, LastParticipantLeftAt);

    public int LiveParticipants => Participants.Count(p => p.Live);

    public SessionRecord Clone()
    {
        var copy = new SessionRecord
        {
            Id = Id, Start = Start, End = End, EndReason = EndReason, EndedBy = EndedBy,
            LastParticipantLeftAt = LastParticipantLeftAt, ActiveConnections = ActiveConnections,
            MaxConcurrentParticipants = MaxConcurrentParticipants, GracePeriod = GracePeriod, SessionLength = SessionLength,
        };
        copy.Participants.AddRange(Participants.Select(p => p.Clone()));
        return copy;
    }
}
