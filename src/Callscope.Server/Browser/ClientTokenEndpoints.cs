using System.Text.Json;
using Callscope.Core.Ingest;
using Callscope.Core.Rooms;
using Callscope.Data.Rooms;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Browser;

public sealed record ClientTokenParticipant(string ExternalId, string? Name, string? Role);

public sealed record ClientTokenItem(string Token, DateTimeOffset ExpiresAt, string Room, ClientTokenParticipant Participant);

/// <summary><c>POST /api/v1/client-tokens</c>: a token the app's backend hands to one participant's browser.</summary>
public static class ClientTokenEndpoints
{
    public const int DefaultTtlSeconds = 3600;
    public const int MinTtlSeconds = 60;
    public const int MaxTtlSeconds = 86_400;

    public static RouteGroupBuilder MapClientTokenRoutes(this RouteGroupBuilder api)
    {
        api.MapPost("/client-tokens", IssueAsync)
            .RequireAuthorization(TeamClaims.AdminPolicy)
            .WithName("CreateClientToken")
            .WithSummary("A client token for one participant's browser")
            .WithDescription(
                "Body: { room, participant: { external_id, name, role }, ttl_seconds }. room is a room name (friendly_url) or the id of one of the team's rooms; " +
                $"ttl_seconds is {MinTtlSeconds} to {MaxTtlSeconds} (default {DefaultTtlSeconds}). The token lets a browser send events of that room as that participant " +
                "to POST /api/v1/ingest/client, from the team's allowed_origins, until it expires or the developer key is replaced.")
            .Accepts<JsonElement>("application/json")
            .WithTags("Browser");
        return api;
    }

    private static async Task<Results<Ok<ClientTokenItem>, ProblemHttpResult>> IssueAsync(
        HttpContext context, ClientTokens tokens, RoomStore rooms, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, 16 * 1024, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;
        var team = context.User.TeamOf();
        var errors = fields.Errors;
        var ttl = fields.Number("ttl_seconds", MinTtlSeconds, MaxTtlSeconds) ?? DefaultTtlSeconds;

        string? room = null;
        if (Text(fields.Root, "room", "room", errors) is not { } given)
        {
            errors.Add(new FieldError("room", "'room' is required: a room name (friendly_url) or a room id."));
        }
        else if (Guid.TryParse(given, out _))
        {
            room = rooms.Find(team, given) is { DeletedAt: null } found ? found.FriendlyUrl : null;
            if (room is null)
            {
                return Problems.NotFound("The room");
            }
        }
        else if (RoomNames.Problem(given.Trim()) is { } nameProblem)
        {
            errors.Add(new FieldError("room", nameProblem));
        }
        else
        {
            room = given.Trim();
        }

        string? identity = null, name = null, role = null;
        if (!fields.Root.TryGetProperty("participant", out var participant) || participant.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("participant", "'participant' is required: an object with an 'external_id'."));
        }
        else
        {
            identity = Text(participant, "external_id", "participant.external_id", errors, 200);
            if (identity is null or "")
            {
                errors.Add(new FieldError("participant.external_id", "'participant.external_id' is required: the participant's stable identity."));
            }

            name = Text(participant, "name", "participant.name", errors, 200);
            role = Text(participant, "role", "participant.role", errors, 100);
        }

        if (!fields.Valid)
        {
            return Problems.Validation(errors);
        }

        var (token, expiresAt) = tokens.Issue(team, room!, identity!, Blank(name), Blank(role), TimeSpan.FromSeconds(ttl));
        return TypedResults.Ok(new ClientTokenItem(token, expiresAt, room!, new ClientTokenParticipant(identity!, Blank(name), Blank(role))));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A string member that events may carry, or null when it is absent; a wrong type or text is an error.</summary>
    private static string? Text(JsonElement obj, string name, string field, List<FieldError> errors, int maxLength = RoomNames.MaxLength)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(field, $"'{field}' must be a string."));
            return null;
        }

        var text = value.GetString()!;
        if (EventRules.TextProblem(field, text.Trim(), maxLength) is { } problem)
        {
            errors.Add(new FieldError(field, problem));
            return null;
        }

        return text.Trim();
    }
}
