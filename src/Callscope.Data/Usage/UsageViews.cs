using Callscope.Core;

namespace Callscope.Data.Usage;

/// <summary>The width of a timeline's points.</summary>
public enum UsageInterval
{
    Minute,
    Hour,
    Day,
}

/// <summary>
/// A team's or a room's usage over a period (docs/statistics.md defines each figure). Minutes run from a connection's
/// join to its leave, the session's end, or now, within the period; a session counts towards concurrency only while
/// someone is in it; <see cref="Sessions"/>, <see cref="ActiveParticipants"/> and <see cref="Rooms"/> count what
/// started (or joined) within the period; the activity minutes and posts are those of the sessions started within it.
/// </summary>
public sealed record UsageFigures(
    DateTimeOffset From,
    DateTimeOffset To,
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmartTvParticipationMinutes,
    int ActiveParticipants,
    int DesktopParticipants,
    int MobileParticipants,
    int TabletParticipants,
    int SmartTvParticipants,
    int Sessions,
    int Rooms,
    int MaxConcurrentSessions,
    int MaxConcurrentParticipants,
    int MaxConcurrentParticipantsPerSession);

/// <summary>One point of a timeline: the interval <c>[Start, End)</c> and what happened in it.</summary>
public sealed record TimelinePoint(
    DateTimeOffset Start,
    DateTimeOffset End,
    int MaxConcurrentSessions,
    int MaxConcurrentParticipants,
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmartTvParticipationMinutes,
    int SessionsStarted);

/// <summary>A room's share of a period, for the rooms that used the most minutes.</summary>
public sealed record RoomUsage(RoomId RoomId, string FriendlyUrl, string? Description, bool Deleted, double ParticipationMinutes, int Sessions);
