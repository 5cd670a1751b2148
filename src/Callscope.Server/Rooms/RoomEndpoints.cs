using System.Text.Json.Serialization;
using Callscope.Core;
using Callscope.Core.Rooms;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Webhooks;
using Callscope.Data.Audit;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Privacy;
using Callscope.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Rooms;

/// <summary>
/// Digital Samba's room: Callscope's own members, then the meeting-application settings Digital Samba documents, which
/// no Callscope room has (<see cref="RoomCallSettings"/>). <c>max_participants</c> is null while the room sets no limit;
/// <c>webhooks</c> lists the webhooks the room's events are limited to, empty when every webhook of the team hears of it.
/// </summary>
public sealed record RoomItem(
    string Id, string FriendlyUrl, string? Description, string? ExternalId, int? GracePeriod, int? SessionLength, int? MaxParticipants,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool IsDeleted, IReadOnlyList<string> Webhooks)
{
    [JsonExtensionData]
    public IDictionary<string, object?> CallSettings => RoomCallSettings.Values;

    public static RoomItem From(Room r) => new(r.Id.ToString(), r.FriendlyUrl, r.Description, r.ExternalId, r.GracePeriod, r.SessionLength,
        r.MaxParticipants, r.CreatedAt, r.UpdatedAt, r.DeletedAt is not null, r.Webhooks ?? []);
}

/// <summary>The optional body of a room's deletion: either member true also deletes the room's history (Digital Samba calls it delete_resources).</summary>
public sealed record DeleteRoomBody(bool? DeleteHistory, bool? DeleteResources);

public static class RoomEndpoints
{
    private const int MaxBody = 64 * 1024;

    public static RouteGroupBuilder MapRoomRoutes(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");
        rooms.MapGet("/", List).WithName("ListRooms").WithSummary("List the team's rooms").WithQueryParameters(QueryDocs.Paging);
        rooms.MapPost("/", CreateAsync).WithName("CreateRoom").WithSummary("Create a room").RequireAuthorization(TeamClaims.AdminPolicy);
        rooms.MapGet("/{room}", Get).WithName("GetRoom").WithSummary("Get a room by id or friendly_url");
        rooms.MapPatch("/{room}", UpdateAsync).WithName("UpdateRoom").WithSummary("Change a room's settings").RequireAuthorization(TeamClaims.AdminPolicy);
        rooms.MapDelete("/{room}", DeleteAsync).WithName("DeleteRoom").WithSummary("Delete a room, ending its live session first; with delete_history (or delete_resources) true, its history is erased too")
            .Accepts<DeleteRoomBody>(isOptional: true, "application/json")
            .RequireAuthorization(TeamClaims.AdminPolicy);
        return api;
    }

    private static Results<Ok<ListResponse<RoomItem>>, ProblemHttpResult> List(HttpContext context, RoomStore rooms)
    {
        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        RoomId? after = null;
        if (paging.After is { } a)
        {
            if (!Guid.TryParseExact(a, "D", out var id))
            {
                return QueryReader.UnknownCursor();
            }

            after = new RoomId(id);
        }

        var page = rooms.List(context.User.TeamOf(), paging.Limit, paging.Offset, paging.Descending, after);
        if (page.UnknownCursor)
        {
            return QueryReader.UnknownCursor();
        }

        return TypedResults.Ok(new ListResponse<RoomItem>(page.TotalCount, [.. page.Data.Select(RoomItem.From)]));
    }

    private static Results<Ok<RoomItem>, ProblemHttpResult> Get(string room, HttpContext context, RoomStore rooms) =>
        rooms.Find(context.User.TeamOf(), room) is { DeletedAt: null } found ? TypedResults.Ok(RoomItem.From(found)) : Problems.NotFound("The room");

    private static async Task<Results<Created<RoomItem>, ProblemHttpResult>> CreateAsync(
        HttpContext context, IngestPipeline pipeline, WebhookStore webhooks, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;

        var settings = new RoomSettings(fields.Text("friendly_url", 200, required: true) ?? string.Empty,
            fields.Text("description", 1000), fields.Text("external_id", 200), fields.Number("grace_period", 0, 86_400),
            fields.Number("session_length", 1, 10_080), fields.Number("max_participants", 1, 100_000),
            Webhooks(fields, webhooks, context.User.TeamOf()));
        CheckName(fields, settings.FriendlyUrl);
        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var result = await pipeline.SendAsync(new CreateRoomCommand(context.User.TeamOf(), settings), cancellationToken);
        return result is { Outcome: RoomOutcome.Stored, Room: { } room }
            ? TypedResults.Created($"/api/v1/rooms/{room.Id}", RoomItem.From(room))
            : NameTaken(settings.FriendlyUrl);
    }

    private static async Task<Results<Ok<RoomItem>, ProblemHttpResult>> UpdateAsync(
        string room, HttpContext context, RoomStore rooms, IngestPipeline pipeline, WebhookStore webhooks, CancellationToken cancellationToken)
    {
        var team = context.User.TeamOf();
        if (rooms.Find(team, room) is not { DeletedAt: null } current)
        {
            return Problems.NotFound("The room");
        }

        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;

        var settings = current.Settings with
        {
            FriendlyUrl = fields.Has("friendly_url") ? fields.Text("friendly_url", 200, required: true) ?? current.FriendlyUrl : current.FriendlyUrl,
            Description = fields.Has("description") ? fields.Text("description", 1000) : current.Description,
            ExternalId = fields.Has("external_id") ? fields.Text("external_id", 200) : current.ExternalId,
            GracePeriod = fields.Has("grace_period") ? fields.Number("grace_period", 0, 86_400) : current.GracePeriod,
            SessionLength = fields.Has("session_length") ? fields.Number("session_length", 1, 10_080) : current.SessionLength,
            MaxParticipants = fields.Has("max_participants") ? fields.Number("max_participants", 1, 100_000) : current.MaxParticipants,
            Webhooks = fields.Has("webhooks") ? Webhooks(fields, webhooks, team) : current.Webhooks,
        };
        if (settings.FriendlyUrl != current.FriendlyUrl)
        {
            CheckName(fields, settings.FriendlyUrl);
        }

        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var result = await pipeline.SendAsync(new ChangeRoomCommand(team, current.Id, settings), cancellationToken);
        return result switch
        {
            { Outcome: RoomOutcome.Stored, Room: { } stored } => TypedResults.Ok(RoomItem.From(stored)),
            { Outcome: RoomOutcome.NameTaken } => NameTaken(settings.FriendlyUrl),
            _ => Problems.NotFound("The room"),
        };
    }

    /// <summary>
    /// Digital Samba's <c>webhooks</c>: ids of the team's webhooks that alone hear of the room. Null, absent or an empty
    /// list lets them all (a room read back shows [] then, and writing back what was read changes nothing).
    /// </summary>
    private static IReadOnlyList<string>? Webhooks(BodyReader fields, WebhookStore webhooks, TeamId team)
    {
        if (fields.Strings("webhooks", 100, 100) is not { Count: > 0 } ids)
        {
            return null;
        }

        ids = [.. ids.Select(id => id.ToLowerInvariant()).Distinct()];
        if (webhooks.Unknown(team, ids) is [var unknown, ..])
        {
            fields.Errors.Add(new FieldError("webhooks", $"'{unknown}' is not a webhook of this team (GET /api/v1/webhooks lists them)."));
            return null;
        }

        return ids;
    }

    private static ProblemHttpResult NameTaken(string name) =>
        Problems.Create(StatusCodes.Status409Conflict, "room-exists", $"A room named '{name}' already exists.");

    /// <summary>A room is reached by name in paths, so a name that a route or a room id could be taken for is refused.</summary>
    private static void CheckName(BodyReader fields, string name)
    {
        if (!fields.Errors.Exists(e => e.Field == "friendly_url") && RoomNames.Problem(name) is { } problem)
        {
            fields.Errors.Add(new FieldError("friendly_url", problem));
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string room, HttpContext context, RoomStore rooms, SessionQueries sessions, SessionEnding ending, IngestPipeline pipeline,
        CancellationToken cancellationToken)
    {
        var team = context.User.TeamOf();
        if (rooms.Find(team, room) is not { DeletedAt: null } found)
        {
            return Problems.NotFound("The room");
        }

        // Digital Samba's delete_resources and Callscope's delete_history mean the same: erase the room's history too.
        var (deleteHistory, problem) = await HistoryOptions.ReadAsync(context.Request, otherwise: false, ["delete_history", "delete_resources"], cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // The live session ends the way every member's end does (hooks included, e.g. closing the LiveKit room);
        // the delete itself also ends anything that went live meanwhile.
        if (sessions.List(team, new SessionFilter(Live: true, RoomId: found.Id), new Paging(Limit: 1)).Data is [var live])
        {
            await ending.EndAsync(team, live.Id.ToString(), context.User.ActorOf(),
                AuditLog.Entry(context, AuditActions.SessionEnded, AuditTarget.Session(live.Id.ToString()),
                    new() { ["room_id"] = found.Id.ToString(), ["reason"] = "room_deleted" }), cancellationToken);
        }

        var deleted = AuditLog.Entry(context, AuditActions.RoomDeleted, AuditTarget.Room(found.Id),
            new() { ["friendly_url"] = found.FriendlyUrl, ["delete_history"] = deleteHistory });
        return await pipeline.SendAsync(new DeleteRoomCommand(team, found.Id, context.User.ActorOf(), deleteHistory) { Audit = done => done ? deleted : null }, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("The room");
    }
}
