namespace Callscope.Core.Law;

/// <summary>What an event means to the session law. Everything else an event says only goes to the log.</summary>
public enum LawKind
{
    /// <summary>A connection closes.</summary>
    Leave = 0,

    /// <summary>The media server closed the room: every open connection closes, the session goes on into its grace.</summary>
    RoomClosed = 1,

    /// <summary>A moderator or team member ended the session.</summary>
    SessionEnd = 2,

    /// <summary>A connection opens.</summary>
    Join = 3,
}

/// <summary>The client a participant joined with, as far as the source told.</summary>
public sealed record ClientInfo(string? Device, string? Os, string? Browser);

/// <summary>
/// One event as the law sees it. Events are ordered by time, then by kind (leaves before ends before joins at
/// the same instant), then by id, so that the law is a function of the event set and not of arrival order.
/// </summary>
public sealed record LawEvent(string Id, LawKind Kind, DateTimeOffset Time)
{
    public string? ExternalId { get; init; }

    public string? ConnectionId { get; init; }

    public string? Name { get; init; }

    public string? Role { get; init; }

    public ClientInfo? Client { get; init; }

    /// <summary>For a leave: when the connection began, if the source says so.</summary>
    public DateTimeOffset? JoinedAt { get; init; }

    /// <summary>For a leave: why it happened.</summary>
    public string? Reason { get; init; }

    /// <summary>For a session end: <c>moderator</c> or <c>api</c>.</summary>
    public string? EndReason { get; init; }

    public string? EndedBy { get; init; }

    /// <summary>
    /// Passive participants (recorders, agents, ingress) are recorded but neither start a session nor keep one
    /// alive.
    /// </summary>
    public bool Passive { get; init; }

    /// <summary>
    /// The participant was erased: its identity is a placeholder that only pairs its events, and its record shows
    /// neither that identity nor a name (<see cref="ParticipantRecord.ErasedName"/>).
    /// </summary>
    public bool Erased { get; init; }

    /// <summary>Set on the join the law infers from a leave that carries its join time.</summary>
    public string? SyntheticFor { get; init; }

    /// <summary>Connections are paired by connection id, else by identity, else the join stands alone.</summary>
    public string ConnectionKey => ConnectionId is { } c ? "c:" + c : ExternalId is { } x ? "x:" + x : "e:" + Id;

    public LawOrder Order => new(Time, Kind, Id);
}

/// <summary>The total order of law events.</summary>
public readonly record struct LawOrder(DateTimeOffset Time, LawKind Kind, string Id) : IComparable<LawOrder>
{
    public int CompareTo(LawOrder other)
    {
        var byTime = Time.CompareTo(other.Time);
        if (byTime != 0)
        {
            return byTime;
        }

        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(LawOrder left, LawOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(LawOrder left, LawOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(LawOrder left, LawOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(LawOrder left, LawOrder right) => left.CompareTo(right) >= 0;
}
