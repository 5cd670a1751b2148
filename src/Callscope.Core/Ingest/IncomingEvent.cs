using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Law;

namespace Callscope.Core.Ingest;

/// <summary>How an event names its room: by id, or by name (created on first use).</summary>
public sealed record RoomRef(RoomId? Id, string? FriendlyUrl, string? ExternalId = null, string? Description = null);

public sealed record ParticipantRef(string? ExternalId, string? Name, string? Role, string? ConnectionId);

/// <summary>A validated event, ready to be stored.</summary>
public sealed record IncomingEvent(
    string Id,
    string Type,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt,
    TimeSpan? Skew,
    RoomRef Room,
    ParticipantRef? Participant,
    string? DataJson)
{
    /// <summary>What the event means to the session law, or null when it only goes to the log.</summary>
    public LawEvent? ToLaw() => LawMapping.Map(Id, Type, Timestamp, Participant?.ExternalId, Participant?.ConnectionId,
        Participant?.Name, Participant?.Role, DataJson);
}

/// <summary>Turns a stored or incoming event into a law event; the same function for both so they cannot drift.</summary>
public static class LawMapping
{
    /// <summary>Marks a <c>session_ended</c> the REST API wrote, as opposed to one a moderator sent.</summary>
    public const string SourceMember = "_source";

    /// <summary>Marks a participant that is recorded but does not keep a session alive (agents, recorders).</summary>
    public const string PassiveMember = "_passive";

    public static bool IsLawType(string type) => type is EventTypes.ParticipantJoined or EventTypes.ParticipantLeft
        or EventTypes.SessionEnded or EventTypes.RoomFinished;

    public static LawEvent? Map(string id, string type, DateTimeOffset timestamp, string? externalId, string? connectionId,
        string? name, string? role, string? dataJson)
    {
        if (!IsLawType(type))
        {
            return null;
        }

        using var data = dataJson is null ? null : JsonDocument.Parse(dataJson);
        var root = data?.RootElement;
        var e = new LawEvent(id, type switch
        {
            EventTypes.ParticipantJoined => LawKind.Join,
            EventTypes.ParticipantLeft => LawKind.Leave,
            EventTypes.RoomFinished => LawKind.RoomClosed,
            _ => LawKind.SessionEnd,
        }, ToMilliseconds(timestamp))
        {
            ExternalId = externalId,
            ConnectionId = connectionId,
            Name = name,
            Role = role,
            Passive = Bool(root, PassiveMember),
        };

        return type switch
        {
            EventTypes.ParticipantJoined => e with { Client = ClientOf(root) },
            EventTypes.ParticipantLeft => e with { Reason = String(root, "reason"), JoinedAt = Time(root, "joined_at") },
            EventTypes.SessionEnded => e with
            {
                EndReason = String(root, SourceMember) == "api" ? EndReasons.Api : EndReasons.Moderator,
                EndedBy = String(root, "ended_by"),
            },
            _ => e,
        };
    }

    private static ClientInfo? ClientOf(JsonElement? root)
    {
        if (root is not { ValueKind: JsonValueKind.Object } r || !r.TryGetProperty("client", out var client)
            || client.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new ClientInfo(String(client, "device"), String(client, "os"), String(client, "browser"));
    }

    private static string? String(JsonElement? root, string name) =>
        root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static bool Bool(JsonElement? root, string name) =>
        root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static DateTimeOffset? Time(JsonElement? root, string name) =>
        String(root, name) is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? ToMilliseconds(t)
            : null;

    /// <summary>The store keeps times to the millisecond; the law sees them exactly as stored.</summary>
    private static DateTimeOffset ToMilliseconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
