using Callscope.Core;
using Callscope.Core.Law;
using Callscope.Data.Diagnosis;
using Callscope.Data.Writing;

namespace Callscope.Data.Sessions;

/// <summary>A session as the API and the dashboard show it, as it stands at the time it was read.</summary>
public sealed record SessionView(
    SessionId Id,
    RoomId RoomId,
    string RoomFriendlyUrl,
    string? RoomDescription,
    string? RoomExternalId,
    bool RoomDeleted,
    DateTimeOffset Start,
    DateTimeOffset? End,
    string? EndReason,
    string? EndedBy,
    DateTimeOffset? LastParticipantLeftAt,
    SessionStatus Status,
    DateTimeOffset? EndingAt,
    int ParticipantsLive,
    int ParticipantsTotal,
    int MaxConcurrentParticipants,
    int GracePeriodSeconds,
    int? RoomMaxParticipants = null)
{
    public TimeSpan DurationAt(DateTimeOffset now) => (End ?? now) - Start;

    /// <summary>The session's kept issues, every participant's (see docs/diagnosis.md).</summary>
    public IssueCounts Issues { get; init; } = IssueCounts.None;
}

public sealed record ConnectionView(DateTimeOffset JoinTime, DateTimeOffset? LeaveTime, string? LeaveReason, string? ConnectionId, bool JoinMissing);

public sealed record ParticipantView(
    ParticipantId Id,
    string? ExternalId,
    SessionId SessionId,
    RoomId RoomId,
    string RoomFriendlyUrl,
    string? RoomExternalId,
    bool RoomDeleted,
    string? Name,
    string? Role,
    DateTimeOffset JoinTime,
    DateTimeOffset? LeaveTime,
    bool Live,
    string? Device,
    string? Os,
    string? Browser,
    int Reconnects,
    IReadOnlyList<ConnectionView> Connections)
{
    /// <summary>The participant's kept issues.</summary>
    public IssueCounts Issues { get; init; } = IssueCounts.None;

    public double ParticipationMinutesAt(DateTimeOffset now) =>
        Math.Round(Connections.Sum(c => ((c.LeaveTime ?? now) - c.JoinTime).TotalMinutes), 2);
}

public sealed record EventView(long Seq, string Id, string Type, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt, long? SkewMs,
    string? ExternalId, string? ConnectionId, string? ParticipantName, string? DataJson);

public sealed record Page<T>(int TotalCount, IReadOnlyList<T> Data)
{
    /// <summary>The page's <c>after</c> cursor names nothing of the team: a stale or mistyped cursor, not page 1.</summary>
    public bool UnknownCursor { get; init; }
}

/// <summary>Paging as the API defines it: limit, offset, order and a keyset cursor.</summary>
public sealed record Paging(int Limit = 100, int Offset = 0, bool Descending = true, string? After = null);

public sealed record SessionFilter(
    bool? Live = null,
    RoomId? RoomId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Query = null,
    bool ActiveFirst = false,
    bool? HasIssues = null);

public sealed record ParticipantFilter(
    bool? Live = null,
    RoomId? RoomId = null,
    SessionId? SessionId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    bool? HasIssues = null);

public sealed record LiveRoom(RoomId RoomId, string? ExternalId, string FriendlyUrl, SessionId SessionId, DateTimeOffset Start,
    IReadOnlyList<ParticipantView> LiveParticipants);

internal static class ConnectionJson
{
    public static IReadOnlyList<ConnectionView> Read(string json, DateTimeOffset? sessionEnd)
    {
        var stored = System.Text.Json.JsonSerializer.Deserialize<List<StoredConnection>>(json) ?? [];
        return [.. stored.Select(c => c.LeaveTime is null && sessionEnd is { } end
            ? new ConnectionView(DbTime.At(c.JoinTime), end, LeaveReasons.SessionEnded, c.ConnectionId, c.JoinMissing)
            : new ConnectionView(DbTime.At(c.JoinTime), DbTime.At(c.LeaveTime), c.LeaveReason, c.ConnectionId, c.JoinMissing))];
    }
}
