using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Ingest;

namespace Callscope.Server.Ingestion;

/// <summary>
/// The native source (SPEC 3.1): reads an ingest batch completely before anything is stored, listing every problem
/// with its event index and field. This reader checks the JSON shape (an object, strings where strings belong); the
/// time, the rules and the law's facts are the shared step's (<see cref="EventIntake"/>), the same a LiveKit
/// webhook's event goes through. A native event sets no law flags: nothing a caller writes makes a participant passive
/// or an end the API's.
/// </summary>
public sealed class NativeEventReader : IEventSource<JsonElement>
{
    public const int MaxEvents = 1000;

    /// <summary>Long enough for any RFC 3339 time; longer text is not a time and is not parsed.</summary>
    private const int MaxTimeLength = 40;

    public static SourceBatch Read(JsonElement root, DateTimeOffset receivedAt)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return new SourceBatch([], [new SourceProblem(null, "events", "The body must be an object with an 'events' array.")]);
        }

        var count = list.GetArrayLength();
        if (count is 0 or > MaxEvents)
        {
            return new SourceBatch([], [new SourceProblem(null, "events", $"A batch holds 1 to {MaxEvents} events; this one has {count}.")]);
        }

        var events = new List<IncomingEvent>(count);
        var problems = new List<SourceProblem>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new SourceProblem(index, "event", "Each event must be an object."));
            }
            else if (ReadEvent(item, receivedAt) is var intake && intake.Accepted)
            {
                events.Add(intake.Event);
            }
            else
            {
                problems.AddRange(intake.Problems.Select(p => new SourceProblem(index, p.Field, p.Message)));
            }

            index++;
        }

        return problems.Count > 0 ? new SourceBatch([], problems) : new SourceBatch(events, []);
    }

    private static Intake ReadEvent(JsonElement item, DateTimeOffset receivedAt)
    {
        var shape = new List<FieldProblem>();
        void Error(string field, string message) => shape.Add(new FieldProblem(field, message));

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
        // be read stands in as one that breaks no rule.
        return EventIntake.Accept(
            new SourceEvent(id ?? "-", type ?? "unknown", timestamp, room ?? new RoomRef(new RoomId(Guid.Empty), null), participant, data),
            receivedAt, shape);
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

        // Members starting with '_' are kept for Callscope's own sources (LiveKit marks its events with them in the log).
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
