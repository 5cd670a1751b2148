using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Core.Events;
using Callscope.Server.Api;

namespace Callscope.Server.Browser;

/// <summary>
/// Puts a browser's batch in its token's scope before the native reader sees it: every event gets the token's room
/// and participant (external id and role from the token; the name from the token when it has one), and its id is kept
/// under the participant's own prefix, so a browser can neither write for anyone else nor take an id another source
/// will send. An event that names another room, another participant, a room id, a room-level type, or presence while
/// LiveKit reports it, is refused: the whole batch is, and nothing is stored.
/// </summary>
public static class ClientEvents
{
    /// <summary>The longest id a browser may give an event; the stored id adds the participant's prefix.</summary>
    public const int MaxIdLength = 150;

    public sealed record Scoped(JsonNode? Body, IReadOnlyList<FieldError> Forbidden, IReadOnlyList<FieldError> Invalid);

    public static Scoped Scope(JsonElement root, ClientScope scope)
    {
        var body = JsonNode.Parse(root.GetRawText());
        var forbidden = new List<FieldError>();
        var invalid = new List<FieldError>();
        if (body is not JsonObject { } obj || obj["events"] is not JsonArray events)
        {
            // Not a batch: the native reader says what is wrong with it.
            return new Scoped(body, forbidden, invalid);
        }

        var prefix = IdPrefix(scope);
        for (var index = 0; index < events.Count; index++)
        {
            if (events[index] is not JsonObject e)
            {
                continue;
            }

            if (Text(e["id"]) is { } id)
            {
                if (id.Length > MaxIdLength)
                {
                    invalid.Add(new FieldError("id", $"A browser's event id has at most {MaxIdLength} characters.", index));
                }
                else
                {
                    e["id"] = prefix + id;
                }
            }

            if (Text(e["type"]) is { } type)
            {
                if (EventTypes.IsRoomLevel(type))
                {
                    forbidden.Add(new FieldError("type", $"A client token cannot send '{type}': it is about the room's session, not one participant.", index));
                }
                else if (scope.FromLiveKit && type is EventTypes.ParticipantJoined or EventTypes.ParticipantLeft)
                {
                    forbidden.Add(new FieldError("type", $"With a LiveKit token, '{type}' comes from LiveKit's webhooks, not the browser.", index));
                }
            }

            e["room"] = ScopedRoom(e["room"], scope, index, forbidden);
            e["participant"] = ScopedParticipant(e["participant"], scope, index, forbidden);
        }

        return new Scoped(body, forbidden, invalid);
    }

    /// <summary>The prefix of a participant's event ids: a digest of the scope, so it is the same on every request.</summary>
    public static string IdPrefix(ClientScope scope) =>
        "b" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope.LimitKey)))[..16] + "-";

    private static JsonObject ScopedRoom(JsonNode? room, ClientScope scope, int index, List<FieldError> forbidden)
    {
        if (room is JsonObject given)
        {
            if (given["id"] is not null)
            {
                forbidden.Add(new FieldError("room.id", "A browser's events name no room id: the token gives the room.", index));
            }
            else if (Text(given["friendly_url"]) is { } name && name.Trim() != scope.Room)
            {
                forbidden.Add(new FieldError("room.friendly_url", "This token may only send events of its own room.", index));
            }
        }

        return new JsonObject { ["friendly_url"] = scope.Room };
    }

    private static JsonObject ScopedParticipant(JsonNode? participant, ClientScope scope, int index, List<FieldError> forbidden)
    {
        var result = new JsonObject { ["external_id"] = scope.Identity };
        var name = scope.Name;
        if (participant is JsonObject given)
        {
            if (given["external_id"] is { } external && Text(external) != scope.Identity)
            {
                forbidden.Add(new FieldError("participant.external_id", "This token may only send events of its own participant.", index));
            }

            name ??= Text(given["name"]);
            if (given["connection_id"] is { } connection)
            {
                result["connection_id"] = connection.DeepClone();
            }
        }

        if (name is not null)
        {
            result["name"] = name;
        }

        if (scope.Role is not null)
        {
            result["role"] = scope.Role;
        }

        return result;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
