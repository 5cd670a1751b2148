using Callscope.Server.Diagnosis;
using Callscope.Core.Law;
using Callscope.Data.Sessions;

namespace Callscope.Server.Sessions;

/// <summary>
/// Digital Samba's session list item (<c>friendly_url</c>, <c>description</c>, <c>participants_max</c> name the room's
/// name, its description and the peak concurrency, as Digital Samba names them in lists), plus Callscope's extensions:
/// the detail's names for the same three (<c>room_friendly_url</c>, <c>room_description</c>,
/// <c>max_concurrent_participants</c>), status, ending_at, end_reason, ....
/// </summary>
public sealed record SessionItem(
    string Id,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    string RoomId,
    string? RoomExternalId,
    string? Description,
    string FriendlyUrl,
    bool RoomIsDeleted,
    int ParticipantsLive,
    int ParticipantsTotal,
    int ParticipantsMax,
    bool Live,
    long SessionDuration,
    string? RoomDescription,
    string RoomFriendlyUrl,
    int MaxConcurrentParticipants,
    string Status,
    DateTimeOffset? EndingAt,
    string? EndReason,
    string? EndedBy,
    DateTimeOffset? LastParticipantLeftAt,
    IssueCountsItem Issues)
{
    public static SessionItem From(SessionView s, DateTimeOffset now) => new(
        s.Id.ToString(), s.Start, s.End, s.RoomId.ToString(), s.RoomExternalId, s.RoomDescription, s.RoomFriendlyUrl, s.RoomDeleted,
        s.ParticipantsLive, s.ParticipantsTotal, s.MaxConcurrentParticipants, s.End is null, (long)s.DurationAt(now).TotalSeconds,
        s.RoomDescription, s.RoomFriendlyUrl, s.MaxConcurrentParticipants,
        StatusName(s.Status), s.EndingAt, s.EndReason, s.EndedBy, s.LastParticipantLeftAt, IssueCountsItem.From(s.Issues));

    public static string StatusName(SessionStatus status) => status switch
    {
        SessionStatus.Live => "live",
        SessionStatus.EndingSoon => "ending_soon",
        SessionStatus.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

/// <summary>
/// Digital Samba's session statistics, in its order, then Callscope's extensions. Counts and minutes of features no
/// event reports (transcription, whiteboard, captions, breakouts, Q&amp;A, polls, subscriptions, end-to-end
/// encryption, stored recordings) are 0; the room's privacy and source, which Callscope does not keep, are null.
/// docs/api.md lists them.
/// </summary>
public sealed record SessionDetail(
    string RoomId,
    string? RoomExternalId,
    string? RoomDescription,
    string RoomFriendlyUrl,
    string? RoomPrivacy,
    string? RoomSource,
    int? RoomMaxParticipants,
    bool RoomIsDeleted,
    string SessionId,
    long SessionDuration,
    bool SessionLive,
    DateTimeOffset SessionStartTime,
    DateTimeOffset? SessionEndTime,
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
    int MaxConcurrentParticipants,
    double TranscriptionMinutes,
    double E2eeMinutes,
    double RecordedMinutes,
    double StoredRecordedMinutes,
    double WhiteboardMinutes,
    double CaptionsMinutes,
    double BreakoutMinutes,
    double PresentationMinutes,
    int ActiveRoles,
    int PublicChatPosts,
    int Questions,
    int Answers,
    int Polls,
    int ParticipantsLive,
    int ParticipantsTotal,
    string Status,
    DateTimeOffset? EndingAt,
    string? EndReason,
    string? EndedBy,
    DateTimeOffset? LastParticipantLeftAt,
    int GracePeriod,
    IssueCountsItem Issues)
{
    public static SessionDetail From(SessionView s, IReadOnlyList<ParticipantView> participants, SessionActivity activity, DateTimeOffset now)
    {
        double Minutes(string? device) => Math.Round(participants.Where(p => device is null || p.Device == device).Sum(p => p.ParticipationMinutesAt(now)), 2);
        int People(string device) => participants.Count(p => p.Device == device);
        return new SessionDetail(
            s.RoomId.ToString(), s.RoomExternalId, s.RoomDescription, s.RoomFriendlyUrl, RoomPrivacy: null, RoomSource: null, s.RoomMaxParticipants,
            s.RoomDeleted, s.Id.ToString(), (long)s.DurationAt(now).TotalSeconds, s.End is null, s.Start, s.End,
            Minutes(null), Minutes("desktop"), Minutes("mobile"), Minutes("tablet"), Minutes("smarttv"),
            activity.BroadcastedMinutes, SubscribedMinutes: 0, activity.ScreenBroadcastedMinutes, ScreenSubscribedMinutes: 0,
            s.ParticipantsLive, participants.Count, People("desktop"), People("mobile"), People("tablet"), People("smarttv"),
            s.MaxConcurrentParticipants,
            TranscriptionMinutes: 0, E2eeMinutes: 0, activity.RecordedMinutes, StoredRecordedMinutes: 0, WhiteboardMinutes: 0, CaptionsMinutes: 0,
            BreakoutMinutes: 0, PresentationMinutes: 0,
            participants.Select(p => p.Role).OfType<string>().Distinct(StringComparer.Ordinal).Count(), activity.PublicChatPosts,
            Questions: 0, Answers: 0, Polls: 0,
            s.ParticipantsLive, s.ParticipantsTotal, SessionItem.StatusName(s.Status), s.EndingAt, s.EndReason, s.EndedBy,
            s.LastParticipantLeftAt, s.GracePeriodSeconds, IssueCountsItem.From(s.Issues));
    }
}
