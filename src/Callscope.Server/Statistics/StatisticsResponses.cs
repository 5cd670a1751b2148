using Callscope.Data.Rooms;
using Callscope.Data.Usage;

namespace Callscope.Server.Statistics;

/// <summary>
/// Digital Samba's team statistics over a period, in its order. The usage figures are <see cref="UsageFigures"/>
/// (docs/statistics.md defines them); <c>live_participants</c> is now. Media, recording, chat and role figures come
/// from each session's events and are given per session by the session statistics, not summed over a period; the
/// features no event reports are 0. docs/api.md lists them.
/// </summary>
public sealed record TeamStatisticsItem(
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmarttvParticipationMinutes,
    double BroadcastedMinutes,
    double SubscribedMinutes,
    double ScreenBroadcastedMinutes,
    double ScreenSubscribedMinutes,
    int ActiveParticipants,
    int MaxConcurrentParticipants,
    int DesktopParticipants,
    int MobileParticipants,
    int TabletParticipants,
    int SmarttvParticipants,
    int Sessions,
    int Rooms,
    int MaxConcurrentSessions,
    int MaxConcurrentParticipantsPerSession,
    int LiveParticipants,
    double RecordedMinutes,
    int MaxActiveRecorders,
    double TranscriptionMinutes,
    double E2eeMinutes,
    double StoredRecordedMinutes,
    double WhiteboardMinutes,
    double CaptionsMinutes,
    int ActiveRoles,
    int CustomRoles,
    double BreakoutMinutes,
    double PresentationMinutes,
    int PublicChatPosts,
    int Questions,
    int Answers,
    int Polls,
    int Summaries,
    DateOnly DateStart,
    DateOnly DateEnd)
{
    public static TeamStatisticsItem From(UsageFigures f, int liveParticipants, StatisticsPeriod period) => new(
        f.ParticipationMinutes, f.DesktopParticipationMinutes, f.MobileParticipationMinutes, f.TabletParticipationMinutes,
        f.SmartTvParticipationMinutes, BroadcastedMinutes: 0, SubscribedMinutes: 0, ScreenBroadcastedMinutes: 0, ScreenSubscribedMinutes: 0,
        f.ActiveParticipants, f.MaxConcurrentParticipants, f.DesktopParticipants, f.MobileParticipants, f.TabletParticipants,
        f.SmartTvParticipants, f.Sessions, f.Rooms, f.MaxConcurrentSessions, f.MaxConcurrentParticipantsPerSession, liveParticipants,
        RecordedMinutes: 0, MaxActiveRecorders: 0, TranscriptionMinutes: 0, E2eeMinutes: 0, StoredRecordedMinutes: 0, WhiteboardMinutes: 0,
        CaptionsMinutes: 0, ActiveRoles: 0, CustomRoles: 0, BreakoutMinutes: 0, PresentationMinutes: 0, PublicChatPosts: 0, Questions: 0,
        Answers: 0, Polls: 0, Summaries: 0, period.FirstDay, period.LastDay);
}

/// <summary>
/// Digital Samba's room statistics over a period, in its order: the room's fields, then its usage figures (as for the
/// team) and its live participants now. <c>room_privacy</c> and <c>room_source</c> Callscope does not keep (null);
/// <c>room_max_participants</c> is null while the room sets no limit, as in the session statistics.
/// </summary>
public sealed record RoomStatisticsItem(
    string RoomId,
    string? RoomExternalId,
    string? RoomDescription,
    string RoomFriendlyUrl,
    string? RoomPrivacy,
    string? RoomSource,
    int? RoomMaxParticipants,
    bool RoomIsDeleted,
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmarttvParticipationMinutes,
    double BroadcastedMinutes,
    double SubscribedMinutes,
    double ScreenBroadcastedMinutes,
    double ScreenSubscribedMinutes,
    int LiveParticipants,
    int ActiveParticipants,
    int DesktopParticipants,
    int MobileParticipants,
    int TabletParticipants,
    int SmarttvParticipants,
    int Sessions,
    int MaxConcurrentParticipants,
    double TranscriptionMinutes,
    double E2eeMinutes,
    double RecordedMinutes,
    double StoredRecordedMinutes,
    double WhiteboardMinutes,
    double CaptionsMinutes,
    int ActiveRoles,
    double BreakoutMinutes,
    double PresentationMinutes,
    int PublicChatPosts,
    int Questions,
    int Answers,
    int Polls,
    int Summaries,
    DateOnly DateStart,
    DateOnly DateEnd)
{
    public static RoomStatisticsItem From(Room r, UsageFigures f, int liveParticipants, StatisticsPeriod period) => new(
        r.Id.ToString(), r.ExternalId, r.Description, r.FriendlyUrl, RoomPrivacy: null, RoomSource: null, r.MaxParticipants, r.DeletedAt is not null,
        f.ParticipationMinutes, f.DesktopParticipationMinutes, f.MobileParticipationMinutes, f.TabletParticipationMinutes,
        f.SmartTvParticipationMinutes, BroadcastedMinutes: 0, SubscribedMinutes: 0, ScreenBroadcastedMinutes: 0, ScreenSubscribedMinutes: 0,
        liveParticipants, f.ActiveParticipants, f.DesktopParticipants, f.MobileParticipants, f.TabletParticipants, f.SmartTvParticipants,
        f.Sessions, f.MaxConcurrentParticipants, TranscriptionMinutes: 0, E2eeMinutes: 0, RecordedMinutes: 0, StoredRecordedMinutes: 0,
        WhiteboardMinutes: 0, CaptionsMinutes: 0, ActiveRoles: 0, BreakoutMinutes: 0, PresentationMinutes: 0, PublicChatPosts: 0, Questions: 0,
        Answers: 0, Polls: 0, Summaries: 0, period.FirstDay, period.LastDay);
}

/// <summary>
/// Digital Samba's current statistics for the current period (<c>date_start</c>, its first day, to <c>date_end</c>,
/// today), then Callscope's extensions. The period's figures are the usage figures of the current period;
/// <c>active_recorders</c> counts live sessions whose recording runs now (from their <c>recording_*</c> events). The
/// period's recorded minutes are given per session by the session statistics; transcription and storage Callscope
/// never sees.
/// </summary>
public sealed record CurrentStatisticsItem(
    double ParticipationMinutes, int LiveSessions, int LiveParticipants, int ActiveRecorders, double RecordedMinutes, double TranscriptionMinutes,
    double StoredRecordedMinutes, int MaxConcurrentParticipants, int MaxConcurrentSessions, DateOnly DateStart, DateOnly DateEnd,
    int EndingSoonSessions, int? MaxSessions, DateTimeOffset PeriodStart);

/// <summary>
/// The team's usage over time, one point per UTC-aligned interval (ext). <c>max_sessions</c> is the team's contracted
/// limit (null while it sets none), which the charts draw beside the peaks.
/// </summary>
public sealed record TimelineResponse(string Interval, DateOnly DateStart, DateOnly DateEnd, int? MaxSessions, IReadOnlyList<TimelineItem> Points);

/// <summary>One interval <c>[start, end)</c> of a timeline; a CSV export has these columns in this order.</summary>
public sealed record TimelineItem(
    DateTimeOffset Start,
    DateTimeOffset End,
    int MaxConcurrentSessions,
    int MaxConcurrentParticipants,
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmarttvParticipationMinutes,
    int Sessions)
{
    public static TimelineItem From(TimelinePoint p) => new(p.Start, p.End, p.MaxConcurrentSessions, p.MaxConcurrentParticipants,
        p.ParticipationMinutes, p.DesktopParticipationMinutes, p.MobileParticipationMinutes, p.TabletParticipationMinutes,
        p.SmartTvParticipationMinutes, p.SessionsStarted);
}
