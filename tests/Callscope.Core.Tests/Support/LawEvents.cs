using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>
/// Events of the worked examples, with times in minutes after <see cref="T"/>. Ids are derived from what the event
/// says, so that writing the same event twice gives a duplicate (same id), as a source retrying would.
/// </summary>
internal static class LawEvents
{
    public static readonly DateTimeOffset T = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Minute(double minutes) => T.AddTicks((long)Math.Round(minutes * TimeSpan.TicksPerMinute));

    public static LawEvent Join(string who, double at, string? connection = null, string? role = null) =>
        new($"join {who} {connection} @{at}", LawKind.Join, Minute(at))
        {
            ExternalId = who, ConnectionId = connection, Name = who, Role = role,
        };

    public static LawEvent Leave(string who, double at, string? connection = null, double? joinedAt = null, string? reason = null) =>
        new($"leave {who} {connection} @{at}", LawKind.Leave, Minute(at))
        {
            ExternalId = who, ConnectionId = connection, Name = who, Reason = reason,
            JoinedAt = joinedAt is { } j ? Minute(j) : null,
        };

    public static LawEvent SessionEnded(double at, string by, string reason = EndReasons.Moderator) =>
        new($"end by {by} @{at}", LawKind.SessionEnd, Minute(at)) { EndedBy = by, EndReason = reason };

    public static LawEvent RoomClosed(double at) => new($"room closed @{at}", LawKind.RoomClosed, Minute(at));

    /// <summary>A recorder, agent or ingress: recorded, but it neither starts nor keeps a session.</summary>
    public static LawEvent PassiveJoin(string who, double at, string? connection = null) =>
        Join(who, at, connection) with { Passive = true };

    public static LawEvent PassiveLeave(string who, double at, string? connection = null) =>
        Leave(who, at, connection) with { Passive = true };

    /// <summary>A participant on one connection from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static LawEvent[] Stay(string who, double from, double to, string? connection = null) =>
        [Join(who, from, connection), Leave(who, to, connection)];
}
