using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.LiveKit;

namespace Callscope.Server.LiveKit;

/// <summary>A LiveKit webhook as it arrived: the decoded event, and the id it takes should it carry none.</summary>
public sealed record WebhookDelivery(WebhookEvent Event, string FallbackId);

/// <summary>
/// The LiveKit source: turns one webhook into the native event the store takes, so that the session law and the events
/// log treat it like any other source. The original event name is kept in <c>data.livekit_event</c>. The time, the
/// rules and the law's facts are the shared step's (<see cref="EventIntake"/>), as for native events; what only
/// LiveKit knows (a participant's kind) becomes the event's law flags.
/// </summary>
public sealed class WebhookMapper : IEventSource<WebhookDelivery>
{
    /// <summary>The log's marker of an event from LiveKit (<c>"_source": "livekit"</c>); see <see cref="LiveKitIntegrationStore"/>.</summary>
    private const string SourceMember = "_source";

    /// <summary>The log's marker of a passive participant. The law reads <see cref="LawFlags.Passive"/>, never this.</summary>
    private const string PassiveMember = "_passive";

    /// <summary>Participant kinds that are recorded but neither start a session nor keep one alive, as LiveKit treats them.</summary>
    private static readonly HashSet<string> PassiveKinds = ["AGENT", "EGRESS", "INGRESS"];

    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The webhook's event, refused whole when it breaks a rule; nothing when it names no room to keep it in.</summary>
    public static SourceBatch Read(WebhookDelivery delivery, DateTimeOffset receivedAt) => Accept(delivery.Event, delivery.FallbackId, receivedAt) switch
    {
        null => SourceBatch.Empty,
        { Accepted: true } intake => new SourceBatch([intake.Event], []),
        var refused => new SourceBatch([], [.. refused.Problems.Select(p => new SourceProblem(null, p.Field, p.Message))]),
    };

    /// <summary>The native event a webhook becomes, whether or not it keeps the rules (see <see cref="Read"/>), or null when it names no room.</summary>
    public static IncomingEvent? Map(WebhookEvent webhook, string fallbackId, DateTimeOffset receivedAt) => Accept(webhook, fallbackId, receivedAt)?.Event;

    private static Intake? Accept(WebhookEvent webhook, string fallbackId, DateTimeOffset receivedAt)
    {
        var roomName = NonEmpty(webhook.Room?.Name) ?? NonEmpty(webhook.EgressInfo?.RoomName) ?? NonEmpty(webhook.IngressInfo?.RoomName)
            ?? NonEmpty(webhook.Job?.Room?.Name);
        if (NonEmpty(webhook.Event) is not { } name || roomName is null)
        {
            return null;
        }

        var sent = Seconds(webhook.CreatedAt) ?? receivedAt;
        var data = new JsonObject { [SourceMember] = LiveKitIntegrationStore.SourceValue, ["livekit_event"] = name };
        Put(data, "room_sid", NonEmpty(webhook.Room?.Sid) ?? NonEmpty(webhook.EgressInfo?.RoomId) ?? NonEmpty(webhook.IngressInfo?.State?.RoomId)
            ?? NonEmpty(webhook.Job?.Room?.Sid));

        var (type, time, participant) = name switch
        {
            "participant_joined" => Joined(webhook.Participant, sent, data),
            "participant_left" or "participant_connection_aborted" => Left(webhook.Participant, sent, data),
            "track_published" or "track_unpublished" => Track(name, webhook.Participant, webhook.Track, sent, data),
            "room_started" => (name, Millis(webhook.Room?.CreationTimeMs) ?? Seconds(webhook.Room?.CreationTime) ?? sent, null),
            "room_finished" => (EventTypes.RoomFinished, sent, null),
            _ => (name, sent, Who(webhook.Participant)),
        };
        Describe(webhook, data);

        // The data is built here, so it is parsed once, for the shared step to check and read, and kept as that text.
        using var parsed = JsonDocument.Parse(data.ToJsonString());
        var id = NonEmpty(webhook.Id) ?? fallbackId;
        var e = new SourceEvent(id, type, time, new RoomRef(null, roomName), participant, parsed.RootElement)
        {
            Flags = IsPassive(webhook.Participant) ? LawFlags.Passive : LawFlags.None,
        };
        return EventIntake.Accept(e, receivedAt);
    }

    /// <summary>Where a participant's leave reason comes from: LiveKit's <c>DisconnectReason</c>, in Callscope's words.</summary>
    public static string LeaveReasonOf(string disconnectReason) => disconnectReason switch
    {
        "DUPLICATE_IDENTITY" or "PARTICIPANT_REMOVED" => "kicked",
        "SIGNAL_CLOSE" or "MIGRATION" or "MEDIA_FAILURE" => "network",
        "JOIN_FAILURE" or "CONNECTION_TIMEOUT" => "timeout",
        "ROOM_DELETED" or "ROOM_CLOSED" => "session_ended",
        "SERVER_SHUTDOWN" or "STATE_MISMATCH" or "USER_UNAVAILABLE" or "SIP_TRUNK_FAILURE" or "AGENT_ERROR" => "error",
        _ => "left",
    };

    /// <summary>
    /// A join is placed at the participant's <c>joinedAtMs</c>: the start of its connection, and the same instant its
    /// leave reports as <c>joined_at</c>. (<c>createdAt</c> is later: LiveKit announces the join when the participant
    /// becomes active, in whole seconds.)
    /// </summary>
    private static (string, DateTimeOffset, ParticipantRef?) Joined(LiveKitParticipant? p, DateTimeOffset sent, JsonObject data)
    {
        AddParticipant(p, data);
        Put(data, "region", NonEmpty(p?.Region));
        return (EventTypes.ParticipantJoined, JoinTime(p) ?? sent, Who(p));
    }

    /// <summary>
    /// A leave has only <c>createdAt</c>, in whole seconds, which can fall before the join's millisecond time in the same
    /// second; it is moved to just after the join, so that the leave always closes the connection it belongs to.
    /// </summary>
    private static (string, DateTimeOffset, ParticipantRef?) Left(LiveKitParticipant? p, DateTimeOffset sent, JsonObject data)
    {
        var reason = p?.DisconnectReason ?? ZeroNames.DisconnectReason;
        data["reason"] = LeaveReasonOf(reason);
        data["disconnect_reason"] = reason;
        AddParticipant(p, data);
        var joined = JoinTime(p);
        if (joined is { } j)
        {
            data["joined_at"] = j.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        return (EventTypes.ParticipantLeft, joined is { } start && start >= sent ? start.AddMilliseconds(1) : sent, Who(p));
    }

    /// <summary>
    /// A track event is placed at the track's <c>version.unixMicro</c> when that lies within a second of
    /// <c>createdAt</c>; an older version (an unpublish can carry the version of its publish) falls back to <c>createdAt</c>.
    /// </summary>
    private static (string, DateTimeOffset, ParticipantRef?) Track(string name, LiveKitParticipant? p, LiveKitTrack? track, DateTimeOffset sent, JsonObject data)
    {
        var source = track?.Source ?? ZeroNames.TrackSource;
        var published = name == "track_published";
        var type = source switch
        {
            "MICROPHONE" => published ? "audio_enabled" : "audio_disabled",
            "CAMERA" => published ? "video_enabled" : "video_disabled",
            "SCREEN_SHARE" => published ? "screenshare_started" : "screenshare_stopped",
            _ => name,
        };
        Put(data, "track_sid", NonEmpty(track?.Sid));
        data["source"] = source;
        data["track_type"] = track?.Type ?? ZeroNames.TrackType;
        Put(data, "mime_type", NonEmpty(track?.MimeType));
        if (track is { Muted: true })
        {
            data["muted"] = true;
        }

        if (track is { Width: > 0, Height: > 0 })
        {
            data["width"] = track.Width;
            data["height"] = track.Height;
        }

        var version = Micros(track?.Version?.UnixMicro);
        var time = version is { } v && (v - sent).Duration() < TimeSpan.FromSeconds(1) ? v : sent;
        return (type, time, Who(p));
    }

    /// <summary>What the log keeps of rooms, recordings, ingress and agent jobs.</summary>
    private static void Describe(WebhookEvent webhook, JsonObject data)
    {
        if (webhook.Event is "room_started" or "room_finished" && webhook.Room is { } room)
        {
            Positive(data, "empty_timeout", room.EmptyTimeout);
            Positive(data, "departure_timeout", room.DepartureTimeout);
            Positive(data, "max_participants", room.MaxParticipants);
            Put(data, "room_end_reason", NonEmpty(webhook.RoomEndReason));
        }

        if (webhook.EgressInfo is { } egress)
        {
            Put(data, "egress_id", NonEmpty(egress.EgressId));
            data["status"] = egress.Status ?? ZeroNames.EgressStatus;
            Put(data, "error", NonEmpty(egress.Error));
        }

        if (webhook.IngressInfo is { } ingress)
        {
            Put(data, "ingress_id", NonEmpty(ingress.IngressId));
            Put(data, "ingress_name", NonEmpty(ingress.Name));
            data["input_type"] = ingress.InputType ?? ZeroNames.IngressInput;
            Put(data, "participant_identity", NonEmpty(ingress.ParticipantIdentity));
            data["status"] = ingress.State?.Status ?? ZeroNames.IngressStatus;
            Put(data, "error", NonEmpty(ingress.State?.Error));
        }

        if (webhook.Job is { } job)
        {
            Put(data, "job_id", NonEmpty(job.Id));
            Put(data, "dispatch_id", NonEmpty(job.DispatchId));
            Put(data, "agent_name", NonEmpty(job.AgentName));
            data["job_type"] = job.Type ?? ZeroNames.JobType;
            data["status"] = job.State?.Status ?? ZeroNames.JobStatus;
            Put(data, "participant_identity", NonEmpty(job.State?.ParticipantIdentity));
            Put(data, "error", NonEmpty(job.State?.Error));
        }
    }

    private static void AddParticipant(LiveKitParticipant? p, JsonObject data)
    {
        data["kind"] = p?.Kind ?? ZeroNames.ParticipantKind;
        if (IsPassive(p))
        {
            data[PassiveMember] = true;
        }
    }

    private static bool IsPassive(LiveKitParticipant? p) => PassiveKinds.Contains(p?.Kind ?? ZeroNames.ParticipantKind);

    /// <summary>Identity is the participant across reconnects; the sid is one connection.</summary>
    private static ParticipantRef? Who(LiveKitParticipant? p) =>
        p is null ? null : new ParticipantRef(NonEmpty(p.Identity), NonEmpty(p.Name), null, NonEmpty(p.Sid));

    private static DateTimeOffset? JoinTime(LiveKitParticipant? p) => Millis(p?.JoinedAtMs) ?? Seconds(p?.JoinedAt);

    private static DateTimeOffset? Seconds(long? value) =>
        value is long v && v > 0 && v <= MaxSeconds ? DateTimeOffset.FromUnixTimeSeconds(v) : null;

    private static DateTimeOffset? Millis(long? value) =>
        value is long v && v > 0 && v / 1000 < MaxSeconds ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    private static DateTimeOffset? Micros(long? value) =>
        value is long v && v > 0 && v / 1_000_000 < MaxSeconds ? DateTimeOffset.UnixEpoch.AddTicks(v * 10) : null;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void Put(JsonObject data, string name, string? value)
    {
        if (value is not null)
        {
            data[name] = value;
        }
    }

    private static void Positive(JsonObject data, string name, int value)
    {
        if (value > 0)
        {
            data[name] = value;
        }
    }
}
