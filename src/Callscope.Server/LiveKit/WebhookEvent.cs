using System.Text.Json;
using System.Text.Json.Serialization;

namespace Callscope.Server.LiveKit;

/// <summary>
/// The parts of LiveKit's <c>WebhookEvent</c> that Callscope reads, as protobuf-JSON writes them: lowerCamelCase
/// names, 64-bit integers as strings, enums as value names, zero values left out (an absent enum is its first value,
/// see <see cref="ZeroNames"/>). Every other field, <c>room.turnPassword</c> and an ingress' stream key among them, is
/// never read.
/// </summary>
public sealed record WebhookEvent
{
    public string? Event { get; init; }

    public LiveKitRoom? Room { get; init; }

    public LiveKitParticipant? Participant { get; init; }

    public LiveKitEgress? EgressInfo { get; init; }

    public LiveKitIngress? IngressInfo { get; init; }

    public LiveKitTrack? Track { get; init; }

    public LiveKitJob? Job { get; init; }

    public string? Id { get; init; }

    /// <summary>Whole seconds since the epoch, set when the server queued the event.</summary>
    public long CreatedAt { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? RoomEndReason { get; init; }
}

public sealed record LiveKitRoom
{
    public string? Sid { get; init; }

    public string? Name { get; init; }

    public int EmptyTimeout { get; init; }

    public int DepartureTimeout { get; init; }

    public int MaxParticipants { get; init; }

    public long CreationTime { get; init; }

    public long CreationTimeMs { get; init; }
}

public sealed record LiveKitParticipant
{
    public string? Sid { get; init; }

    public string? Identity { get; init; }

    public string? Name { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Kind { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? DisconnectReason { get; init; }

    public long JoinedAt { get; init; }

    public long JoinedAtMs { get; init; }

    public string? Region { get; init; }
}

public sealed record LiveKitTrack
{
    public string? Sid { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Type { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Source { get; init; }

    public string? MimeType { get; init; }

    public bool Muted { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public LiveKitVersion? Version { get; init; }
}

public sealed record LiveKitVersion
{
    public long UnixMicro { get; init; }
}

public sealed record LiveKitEgress
{
    public string? EgressId { get; init; }

    public string? RoomId { get; init; }

    public string? RoomName { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Status { get; init; }

    public string? Error { get; init; }
}

public sealed record LiveKitIngress
{
    public string? IngressId { get; init; }

    public string? Name { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? InputType { get; init; }

    public string? RoomName { get; init; }

    public string? ParticipantIdentity { get; init; }

    public LiveKitIngressState? State { get; init; }
}

public sealed record LiveKitIngressState
{
    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Status { get; init; }

    public string? Error { get; init; }

    public string? RoomId { get; init; }
}

public sealed record LiveKitJob
{
    public string? Id { get; init; }

    public string? DispatchId { get; init; }

    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Type { get; init; }

    public LiveKitRoom? Room { get; init; }

    public string? AgentName { get; init; }

    public LiveKitJobState? State { get; init; }
}

public sealed record LiveKitJobState
{
    [JsonConverter(typeof(ProtoEnumConverter))]
    public string? Status { get; init; }

    public string? Error { get; init; }

    public string? ParticipantIdentity { get; init; }
}

/// <summary>The names of the enum values protobuf-JSON leaves out because they are zero.</summary>
public static class ZeroNames
{
    public const string ParticipantKind = "STANDARD";
    public const string DisconnectReason = "UNKNOWN_REASON";
    public const string TrackType = "AUDIO";
    public const string TrackSource = "UNKNOWN";
    public const string EgressStatus = "EGRESS_STARTING";
    public const string IngressInput = "RTMP_INPUT";
    public const string IngressStatus = "ENDPOINT_INACTIVE";
    public const string JobType = "JT_ROOM";
    public const string JobStatus = "JS_PENDING";
}

/// <summary>
/// protobuf-JSON writes enums as value names, but its readers also take the number; a number is kept as its digits
/// so that an unfamiliar value is carried along instead of failing the whole event.
/// </summary>
public sealed class ProtoEnumConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number when reader.TryGetInt64(out var number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new JsonException("An enum must be a name or a whole number."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    MaxDepth = 64)]
[JsonSerializable(typeof(WebhookEvent))]
[JsonSerializable(typeof(DeleteRoomRequest))]
public sealed partial class LiveKitJsonContext : JsonSerializerContext;
