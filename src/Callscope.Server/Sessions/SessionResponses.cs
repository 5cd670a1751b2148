using Callscope.Core.Law;
using Callscope.Data.Sessions;

namespace Callscope.Server.Sessions;

/// <summary>Digital Samba's session fields, plus Callscope's extensions (status, ending_at, end_reason, ...).</summary>
public sealed record SessionItem(
    string Id,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    long SessionDuration,
    bool Live,
    string RoomId,
    string? RoomExternalId,
    string? RoomDescription,
    string RoomFriendlyUrl,
    bool RoomIsDeleted,
    int ParticipantsLive,
    int ParticipantsTotal,
    int MaxConcurrentParticipants,
    string Status,
    DateTimeOffset? EndingAt,
    string? EndReason,
    string? EndedBy,
    DateTimeOffset? LastParticipantLeftAt)
{
    public static SessionItem From(SessionView s, DateTimeOffset now) => new(
        s.Id.ToString(), s.Start, s.End, (long)s.DurationAt(now).TotalSeconds, s.End is null, s.RoomId.ToString(), s.RoomExternalId,
        s.RoomDescription, s.RoomFriendlyUrl, s.RoomDeleted, s.ParticipantsLive, s.ParticipantsTotal, s.MaxConcurrentParticipants,
        StatusName(s.Status), s.EndingAt, s.EndReason, s.EndedBy, s.LastParticipantLeftAt);

    public static string StatusName(SessionStatus status) => status switch
    {
        SessionStatus.Live => "live",
        SessionStatus.EndingSoon => "ending_soon",
        SessionStatus.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

public sealed record SessionDetail(
    string SessionId,
    DateTimeOffset SessionStartTime,
    DateTimeOffset? SessionEndTime,
    bool SessionLive,
    long SessionDuration,
    string RoomId,
    string? RoomExternalId,
    string? RoomDescription,
    string RoomFriendlyUrl,
    bool RoomIsDeleted,
    int ParticipantsLive,
    int ParticipantsTotal,
    int MaxConcurrentParticipants,
    double ParticipationMinutes,
    double DesktopParticipationMinutes,
    double MobileParticipationMinutes,
    double TabletParticipationMinutes,
    double SmarttvParticipationMinutes,
    string Status,
    DateTimeOffset? EndingAt,
    string? EndReason,
    string? EndedBy,
    DateTimeOffset? LastParticipantLeftAt,
    int GracePeriod)
{
    public static SessionDetail From(SessionView s, IReadOnlyList<ParticipantView> participants, DateTimeOffset now)
    {
        double Minutes(string? device) => Math.Round(participants.Where(p => device is null || p.Device == device).Sum(p => p.ParticipationMinutesAt(now)), 2);
        return new SessionDetail(
            s.Id.ToString(), s.Start, s.End, s.End is null, (long)s.DurationAt(now).TotalSeconds, s.RoomId.ToString(), s.RoomExternalId,
            s.RoomDescription, s.RoomFriendlyUrl, s.RoomDeleted, s.ParticipantsLive, s.ParticipantsTotal, s.MaxConcurrentParticipants,
            Minutes(null), Minutes("desktop"), Minutes("mobile"), Minutes("tablet"), Minutes("smarttv"),
            SessionItem.StatusName(s.Status), s.EndingAt, s.EndReason, s.EndedBy, s.LastParticipantLeftAt, s.GracePeriodSeconds);
    }
}
