using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Server.Api;

namespace Callscope.Server.Ingestion;

/// <summary>
/// Reads a native ingest batch (SPEC 3.1) completely before anything is stored, listing every problem with its event
/// index and field. This reader checks the JSON shape (an object, strings where strings belong); what the values may
/// be is <see cref="EventRules"/>, the same rules a LiveKit webhook's event goes through.
/// </summary>
public static class NativeEventReader
{
    public const int MaxEvents = 1000;

    /// <summary>Long enough for any RFC 3339 time; longer text is not a time and is not parsed.</summary>
    private const int MaxTimeLength = 40;

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
        var shape = new List<FieldProblem>();
        void Error(string field, string message) => shape.Add(new FieldProblem(field, message));

        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("event", "Each event must be an object.", index));
            return null;
        }

        var id = RequiredString(item, "id", Error);
        var type = RequiredString(item, "type", Error);
        var timestamp = receivedAt;
        if (RequiredString(item, "timestamp", Error) is { } ts && (ts.Length > MaxTimeLength || !TimeText.TryParse(ts, out timestamp)))
        {
            Error("timestamp", "'timestamp' must be an RFC 3339 time with an offset, e.g. 2026-11-25T10:00:00Z.");
        }

        var room = ReadRoom(item, Error);
        var participant = ReadParticipant(item, Error);
        var data = ReadData(item, Error);

        // The rules run even when the shape is wrong, so that one answer lists every problem; a value that could not
        // be read stands in as one that breaks no rule, and a field whose shape is wrong is reported once.
        var (time, skew) = EventRules.Clamp(timestamp, receivedAt);
        var e = new IncomingEvent(id ?? "-", type ?? "-", time, receivedAt, skew, room ?? new RoomRef(new RoomId(Guid.Empty), null), participant,
            data?.GetRawText());
        var rules = EventRules.Check(type is null ? e with { Type = "unknown" } : e, data);
        var problems = shape.Concat(rules.Where(r => !shape.Exists(s => s.Field == r.Field))).ToList();
        if (problems.Count > 0)
        {
            errors.AddRange(problems.Select(p => new FieldError(p.Field, p.Message, index)));
            return null;
        }

        // Only the fact of a chat message is kept, never what it said.
        return type == "chat_message" ? e with { DataJson = null } : e;
    }

    private static RoomRef? ReadRoom(JsonElement item, Action<string, string> error)
    {
        if (!item.TryGetProperty("room", out var room) || room.ValueKind != JsonValueKind.Object)
        {
            error("room", "'room' must be an object with an 'id' or a 'friendly_url'.");
            return null;
        }

        var id = OptionalString(room, "id", "room.id", error);
        var name = OptionalString(room, "friendly_url", "room.friendly_url", error);
        var externalId = OptionalString(room, "external_id", "room.external_id", error);
        var description = OptionalString(room, "description", "room.description", error);
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

        // Surrounding white space is forgiven here (it cannot be part of a room name); the name itself must then hold.
        return new RoomRef(null, name.Trim(), externalId, description);
    }

    private static ParticipantRef? ReadParticipant(JsonElement item, Action<string, string> error)
    {
        if (!item.TryGetProperty("participant", out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            error("participant", "'participant' must be an object.");
            return null;
        }

        return new ParticipantRef(
            OptionalString(p, "external_id", "participant.external_id", error),
            OptionalString(p, "name", "participant.name", error),
            OptionalString(p, "role", "participant.role", error),
            OptionalString(p, "connection_id", "participant.connection_id", error));
    }

    private static JsonElement? ReadData(JsonElement item, Action<string, string> error)
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

        // Members starting with '_' are Callscope's own markers (the source of an end, a passive participant).
        foreach (var member in data.EnumerateObject())
        {
            if (member.Name.StartsWith('_'))
            {
                error("data." + member.Name, "Members starting with '_' are reserved.");
            }
        }

        return data;
    }

    private static string? RequiredString(JsonElement obj, string name, Action<string, string> error)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error(name, $"'{name}' is required.");
            return null;
        }

        return OptionalString(obj, name, name, error);
    }

    private static string? OptionalString(JsonElement obj, string name, string field, Action<string, string> error)
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

        return value.GetString();
    }
}
