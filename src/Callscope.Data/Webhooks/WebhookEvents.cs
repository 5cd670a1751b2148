using System.Text.Json.Nodes;

namespace Callscope.Data.Webhooks;

/// <summary>The events a webhook can be sent (docs/webhooks.md), as <c>GET /api/v1/events</c> lists them.</summary>
public static class WebhookEvents
{
    public const string SessionStarted = "session_started";
    public const string SessionEnded = "session_ended";
    public const string SessionEndingSoon = "session_ending_soon";
    public const string ParticipantJoined = "participant_joined";
    public const string ParticipantLeft = "participant_left";
    public const string ParticipantIssue = "participant_issue";

    /// <summary>Sent only on request (<c>POST /webhooks/{id}/test</c>), to every webhook whatever its events.</summary>
    public const string Test = "webhook_test";

    public static readonly IReadOnlyList<string> All =
        [ParticipantJoined, ParticipantLeft, SessionStarted, SessionEnded, SessionEndingSoon, ParticipantIssue];
}

/// <summary>The states of a delivery: waiting for its next try, answered with a 2xx, or given up.</summary>
public static class DeliveryStates
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>The message a webhook receives, in Digital Samba's documented shape.</summary>
public static class WebhookMessage
{
    /// <summary>
    /// <c>{"eventType", "sessionId", "roomId", "timestamp", "data"}</c>: the timestamp is when the fact happened, in Unix
    /// seconds; <c>data</c> carries what each event needs, its instants in RFC 3339 UTC.
    /// </summary>
    public static string Payload(string eventType, string? session, string? room, DateTimeOffset at, JsonObject data)
    {
        var message = new JsonObject
        {
            ["eventType"] = eventType,
            ["sessionId"] = session,
            ["roomId"] = room,
            ["timestamp"] = at.ToUnixTimeSeconds(),
            ["data"] = data,
        };
        return message.ToJsonString();
    }

    /// <summary>A delivery's id, sent as <c>webhook-id</c> on every try of it.</summary>
    public static string NewId(DateTimeOffset now) => "msg_" + Guid.CreateVersion7(now).ToString("N");

    /// <summary>An instant as the API writes it: RFC 3339 in UTC with a Z, to the millisecond.</summary>
    public static string? Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
