using Callscope.Server.Diagnosis;
using Callscope.Data.Sessions;

namespace Callscope.Server.Participants;

public sealed record ConnectionItem(DateTimeOffset JoinTime, DateTimeOffset? LeaveTime, string? LeaveReason, string? ConnectionId, bool JoinMissing)
{
    public static IReadOnlyList<ConnectionItem> Of(ParticipantView p) =>
        [.. p.Connections.Select(c => new ConnectionItem(c.JoinTime, c.LeaveTime, c.LeaveReason, c.ConnectionId, c.JoinMissing))];
}

/// <summary>
/// Digital Samba's participant list item (<c>name</c>, and the room's <c>friendly_url</c>, <c>room_external_id</c>,
/// <c>room_is_deleted</c>), plus Callscope's extensions: the detail's fields, the connections and the reconnect count.
/// </summary>
public sealed record ParticipantItem(
    string Id,
    string? ExternalId,
    string SessionId,
    string RoomId,
    string? RoomExternalId,
    bool RoomIsDeleted,
    string? Name,
    string? Role,
    string FriendlyUrl,
    DateTimeOffset JoinTime,
    DateTimeOffset? LeaveTime,
    bool Live,
    string RoomFriendlyUrl,
    string? ParticipantName,
    string? Device,
    string? System,
    string? Browser,
    double ParticipationMinutes,
    int Reconnects,
    IReadOnlyList<ConnectionItem> Connections,
    IssueCountsItem Issues)
{
    public static ParticipantItem From(ParticipantView p, DateTimeOffset now) => new(
        p.Id.ToString(), p.ExternalId, p.SessionId.ToString(), p.RoomId.ToString(), p.RoomExternalId, p.RoomDeleted, p.Name, p.Role,
        p.RoomFriendlyUrl, p.JoinTime, p.LeaveTime, p.Live, p.RoomFriendlyUrl, p.Name, p.Device, p.Os, p.Browser, p.ParticipationMinutesAt(now),
        p.Reconnects, ConnectionItem.Of(p), IssueCountsItem.From(p.Issues));
}

/// <summary>
/// Digital Samba's participant statistics, in its order, then Callscope's extensions. <c>room_privacy</c> (not kept)
/// is null; <c>e2ee</c> is false and <c>questions</c> and <c>answers</c> are 0: no event reports them.
/// <c>public_chat_posts</c> counts the participant's <c>chat_message</c> events.
/// </summary>
public sealed record ParticipantDetail(
    string RoomId,
    string? RoomExternalId,
    string RoomFriendlyUrl,
    string? RoomPrivacy,
    bool RoomIsDeleted,
    string SessionId,
    bool Live,
    string? ParticipantName,
    string? Role,
    DateTimeOffset JoinTime,
    DateTimeOffset? LeaveTime,
    string? Device,
    string? System,
    string? Browser,
    bool E2ee,
    double ParticipationMinutes,
    int PublicChatPosts,
    int Questions,
    int Answers,
    string Id,
    string? ExternalId,
    string? Name,
    string FriendlyUrl,
    int Reconnects,
    IReadOnlyList<ConnectionItem> Connections,
    IssueCountsItem Issues)
{
    public static ParticipantDetail From(ParticipantView p, int chatPosts, DateTimeOffset now) => new(
        p.RoomId.ToString(), p.RoomExternalId, p.RoomFriendlyUrl, RoomPrivacy: null, p.RoomDeleted, p.SessionId.ToString(), p.Live, p.Name, p.Role,
        p.JoinTime, p.LeaveTime, p.Device, p.Os, p.Browser, E2ee: false, p.ParticipationMinutesAt(now), chatPosts, Questions: 0, Answers: 0,
        p.Id.ToString(), p.ExternalId, p.Name, p.RoomFriendlyUrl, p.Reconnects,
        ConnectionItem.Of(p), IssueCountsItem.From(p.Issues));
}

public sealed record EventItem(string Id, string Type, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt, long? ClockSkewMs, System.Text.Json.JsonElement? Data)
{
    public static EventItem From(EventView e) => new(e.Id, e.Type, e.Timestamp, e.ReceivedAt, e.SkewMs,
        e.DataJson is null ? null : System.Text.Json.JsonDocument.Parse(e.DataJson).RootElement.Clone());
}
