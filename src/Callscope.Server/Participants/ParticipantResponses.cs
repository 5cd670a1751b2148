using Callscope.Data.Sessions;

namespace Callscope.Server.Participants;

public sealed record ConnectionItem(DateTimeOffset JoinTime, DateTimeOffset? LeaveTime, string? LeaveReason, string? ConnectionId, bool JoinMissing);

/// <summary>Digital Samba's participant fields, plus the connections and reconnect count.</summary>
public sealed record ParticipantItem(
    string Id,
    string? ExternalId,
    string SessionId,
    string RoomId,
    string RoomFriendlyUrl,
    string? ParticipantName,
    string? Role,
    DateTimeOffset JoinTime,
    DateTimeOffset? LeaveTime,
    bool Live,
    string? Device,
    string? System,
    string? Browser,
    double ParticipationMinutes,
    int Reconnects,
    IReadOnlyList<ConnectionItem> Connections)
{
    public static ParticipantItem From(ParticipantView p, DateTimeOffset now) => new(
        p.Id.ToString(), p.ExternalId, p.SessionId.ToString(), p.RoomId.ToString(), p.RoomFriendlyUrl, p.Name, p.Role, p.JoinTime,
        p.LeaveTime, p.Live, p.Device, p.Os, p.Browser, p.ParticipationMinutesAt(now), p.Reconnects,
        [.. p.Connections.Select(c => new ConnectionItem(c.JoinTime, c.LeaveTime, c.LeaveReason, c.ConnectionId, c.JoinMissing))]);
}

public sealed record EventItem(string Id, string Type, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt, long? ClockSkewMs, System.Text.Json.JsonElement? Data)
{
    public static EventItem From(EventView e) => new(e.Id, e.Type, e.Timestamp, e.ReceivedAt, e.SkewMs,
        e.DataJson is null ? null : System.Text.Json.JsonDocument.Parse(e.DataJson).RootElement.Clone());
}
