using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Server.Api;

namespace Callscope.Server.Ingestion;

/// <summary>
/// Validates a native ingest batch (SPEC 3.1) completely before anything is stored, listing every problem with its
/// event index and field.
/// </summary>
public static class NativeEventReader
{
    public const int MaxEvents = 1000;
    private const int MaxIdLength = 200;
    private const int MaxTextLength = 200;
    private const int MaxDataLength = 8192;
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromSeconds(5);

    /// <summary>Session ids are time-ordered UUIDs (version 7), which begin at the Unix epoch: no event can be older.</summary>
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private static readonly HashSet<string> Devices = ["desktop", "mobile", "tablet", "smarttv"];
    private static readonly string[] QualityFields = ["rtt_ms", "jitter_ms", "packet_loss_pct", "bitrate_up_kbps", "bitrate_down_kbps", "fps", "score"];

    public static (List<IncomingEvent> Events, List<FieldError> Errors) Read(JsonElement root, DateTimeOffset receivedAt)
    {
        var events = new List<IncomingEvent>();
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError("events", "The body must be an object with an 'events' array."));
            return (events, errors);
        }

        var count = list.GetArrayLength();
        if (count is 0 or > MaxEvents)
        {
            errors.Add(new FieldError("events", $"A batch holds 1 to {MaxEvents} events; this one has {count}."));
            return (events, errors);
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (ReadEvent(item, index, receivedAt, errors) is { } e)
            {
                events.Add(e);
            }

            index++;
        }

        return (events, errors);
    }

    private static IncomingEvent? ReadEvent(JsonElement item, int index, DateTimeOffset receivedAt, List<FieldError> errors)
    {
        var before = errors.Count;
        void Error(string field, string message) => errors.Add(new FieldError(field, message, index));

        if (item.ValueKind != JsonValueKind.Object)
        {
            Error("event", "Each event must be an object.");
            return null;
        }

        var id = RequiredString(item, "id", MaxIdLength, Error);
        var type = RequiredString(item, "type", 100, Error);
        if (type is not null && !IsTypeName(type))
        {
            Error("type", "'type' must be lower-case letters, digits and underscores.");
        }

        DateTimeOffset timestamp = default;
        if (RequiredString(item, "timestamp", 40, Error) is { } ts && !Rfc3339.TryParse(ts, out timestamp))
        {
            Error("timestamp", "'timestamp' must be an RFC 3339 time with an offset, e.g. 2026-11-25T10:00:00Z.");
        }
        else if (timestamp < Epoch)
        {
            Error("timestamp", EpochMessage("timestamp"));
        }

        var room = ReadRoom(item, Error);
        var participant = ReadParticipant(item, type, Error);
        var data = ReadData(item, type, Error);
        if (errors.Count > before)
        {
            return null;
        }

        TimeSpan? skew = null;
        if (timestamp > receivedAt + AllowedSkew)
        {
            skew = timestamp - receivedAt;
            timestamp = receivedAt;
        }

        return new IncomingEvent(id!, type!, timestamp, receivedAt, skew, room!, participant, data);
    }

    private static RoomRef? ReadRoom(JsonElement item, Action<string, string> error)
    {
        if (!item.TryGetProperty("room", out var room) || room.ValueKind != JsonValueKind.Object)
        {
            error("room", "'room' must be an object with an 'id' or a 'friendly_url'.");
            return null;
        }

        var id = OptionalString(room, "id", 36, "room.id", error);
        var name = OptionalString(room, "friendly_url", MaxTextLength, "room.friendly_url", error);
        var externalId = OptionalString(room, "external_id", MaxTextLength, "room.external_id", error);
        var description = OptionalString(room, "description", 1000, "room.description", error);
        if (id is not null)
        {
            if (!Guid.TryParseExact(id, "D", out var guid))
            {
                error("room.id", "'room.id' must be a UUID.");
                return null;
            }

            return new RoomRef(new RoomId(guid), null);
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            error("room", "'room' needs an 'id' or a non-empty 'friendly_url'.");
            return null;
        }

        return new RoomRef(null, name.Trim(), externalId, description);
    }

    private static ParticipantRef? ReadParticipant(JsonElement item, string? type, Action<string, string> error)
    {
        if (!item.TryGetProperty("participant", out var p) || p.ValueKind == JsonValueKind.Null)
        {
            if (type is not null && EventTypes.NeedsParticipant(type))
            {
                error("participant", $"'{type}' events need a 'participant' object.");
            }

            return null;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            error("participant", "'participant' must be an object.");
            return null;
        }

        return new ParticipantRef(
            OptionalString(p, "external_id", MaxTextLength, "participant.external_id", error),
            OptionalString(p, "name", MaxTextLength, "participant.name", error),
            OptionalString(p, "role", 100, "participant.role", error),
            OptionalString(p, "connection_id", MaxTextLength, "participant.connection_id", error));
    }

    private static string? ReadData(JsonElement item, string? type, Action<string, string> error)
    {
        if (!item.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            error("data", "'data' must be an object.");
            return null;
        }

        var raw = data.GetRawText();
        if (raw.Length > MaxDataLength)
        {
            error("data", $"'data' must be at most {MaxDataLength} characters of JSON.");
            return null;
        }

        foreach (var member in data.EnumerateObject())
        {
            if (member.Name.StartsWith('_'))
            {
                error("data." + member.Name, "Members starting with '_' are reserved.");
            }
        }

        switch (type)
        {
            case EventTypes.ParticipantJoined when data.TryGetProperty("client", out var client) && client.ValueKind != JsonValueKind.Null:
                if (client.ValueKind != JsonValueKind.Object)
                {
                    error("data.client", "'data.client' must be an object.");
                    break;
                }

                foreach (var field in (string[])["user_agent", "os", "browser", "sdk", "network_type"])
                {
                    OptionalString(client, field, 500, "data.client." + field, error);
                }

                if (OptionalString(client, "device", 20, "data.client.device", error) is { } device && !Devices.Contains(device))
                {
                    error("data.client.device", "'data.client.device' must be desktop, mobile, tablet or smarttv.");
                }

                break;
            case EventTypes.ParticipantLeft:
                if (OptionalString(data, "reason", 50, "data.reason", error) is { } reason && !EventTypes.LeaveReasons.Contains(reason))
                {
                    error("data.reason", "'data.reason' must be one of: " + string.Join(", ", EventTypes.LeaveReasons) + ".");
                }

                if (OptionalString(data, "joined_at", 40, "data.joined_at", error) is { } joinedAt)
                {
                    if (!Rfc3339.TryParse(joinedAt, out var joined))
                    {
                        error("data.joined_at", "'data.joined_at' must be an RFC 3339 time.");
                    }
                    else if (joined < Epoch)
                    {
                        error("data.joined_at", EpochMessage("data.joined_at"));
                    }
                }

                break;
            case EventTypes.SessionEnded:
                OptionalString(data, "ended_by", MaxTextLength, "data.ended_by", error);
                break;
            case "quality_sample":
                foreach (var field in QualityFields)
                {
                    if (data.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
                        && (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < 0
                            || (field == "score" && number > 5) || (field == "packet_loss_pct" && number > 100)))
                    {
                        error("data." + field, $"'data.{field}' must be a non-negative number" + (field == "score" ? " up to 5." : "."));
                    }
                }

                break;
            case "chat_message":
                // Only the fact of a message is kept, never what it said.
                return null;
        }

        return raw;
    }

    private static string EpochMessage(string field) => $"'{field}' must be at or after 1970-01-01T00:00:00Z.";

    private static bool IsTypeName(string type) => type.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    private static string? RequiredString(JsonElement obj, string name, int maxLength, Action<string, string> error)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error(name, $"'{name}' is required.");
            return null;
        }

        var text = OptionalString(obj, name, maxLength, name, error);
        if (text is { Length: 0 })
        {
            error(name, $"'{name}' must not be empty.");
            return null;
        }

        return text;
    }

    private static string? OptionalString(JsonElement obj, string name, int maxLength, string field, Action<string, string> error)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error(field, $"'{field}' must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            error(field, $"'{field}' must be at most {maxLength} characters.");
            return null;
        }

        return text;
    }
}
