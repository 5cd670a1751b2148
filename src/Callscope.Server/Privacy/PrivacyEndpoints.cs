using Callscope.Data.Audit;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Privacy;

/// <summary>What an erasure by person changed (docs/api.md, deleting history).</summary>
public sealed record ErasureAnswer(
    int Rooms, int Sessions, int Participants, int Events, int EventsAnonymised, int EventsDeleted, int Issues, int WebhookDeliveries)
{
    public static ErasureAnswer From(ErasureCounts c) => new(c.Rooms, c.Sessions, c.Participants, c.EventsAnonymised + c.EventsDeleted,
        c.EventsAnonymised, c.EventsDeleted, c.Issues, c.WebhookDeliveries);
}

/// <summary>The optional body of Digital Samba's resource deletions: without it, or with null, the history is deleted.</summary>
public sealed record DeleteHistoryBody(bool? DeleteHistory);

/// <summary>
/// Digital Samba's data-deletion endpoints and erasure by person: each anonymises participants through the writer and
/// keeps every session's results (see <see cref="EraseHistoryCommand"/>). Admins only.
/// </summary>
public static class PrivacyEndpoints
{
    private static readonly string[] DeleteHistory = ["delete_history"];

    public static RouteGroupBuilder MapPrivacyRoutes(this RouteGroupBuilder api)
    {
        api.MapDelete("/sessions/{id}/resources", SessionAsync).WithTags("Sessions").WithName("DeleteSessionResources")
            .WithSummary("Delete a session's history: anonymise its participants and remove their events logs, keeping its results")
            .Accepts<DeleteHistoryBody>(isOptional: true, "application/json").RequireAuthorization(TeamClaims.AdminPolicy);
        api.MapDelete("/rooms/{room}/resources", RoomAsync).WithTags("Rooms").WithName("DeleteRoomResources")
            .WithSummary("Delete a room's history: anonymise the participants of all its sessions and remove their events logs, keeping the results")
            .Accepts<DeleteHistoryBody>(isOptional: true, "application/json").RequireAuthorization(TeamClaims.AdminPolicy);
        api.MapDelete("/participants", PersonAsync).WithTags("Participants").WithName("EraseParticipant")
            .WithSummary("Erase one person (external_id) across the team's history, keeping the results")
            .WithQueryParameters([("external_id", "Required: the identity to erase, exactly as the events gave it.")]).RequireAuthorization(TeamClaims.AdminPolicy);
        return api;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SessionAsync(
        string id, HttpContext context, SessionQueries queries, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        var (erase, problem) = await HistoryOptions.ReadAsync(context.Request, otherwise: true, DeleteHistory, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out var sessionId))
        {
            return Problems.NotFound("The session");
        }

        if (!erase)
        {
            return queries.Find(team, id) is null ? Problems.NotFound("The session") : TypedResults.NoContent();
        }

        var result = await pipeline.SendAsync(EraseHistoryCommand.OfSession(team, sessionId.ToString(),
            AuditLog.Erasure(context, AuditTarget.Session(sessionId.ToString()))), cancellationToken);
        return result.Outcome switch
        {
            ErasureOutcome.NotFound => Problems.NotFound("The session"),
            ErasureOutcome.Live => Problems.Create(StatusCodes.Status422UnprocessableEntity, "session-live",
                "The session is live: its history can be deleted once it has ended."),
            _ => TypedResults.NoContent(),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RoomAsync(
        string room, HttpContext context, RoomStore rooms, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        var (erase, problem) = await HistoryOptions.ReadAsync(context.Request, otherwise: true, DeleteHistory, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var team = context.User.TeamOf();
        if (rooms.Find(team, room) is not { } found)
        {
            return Problems.NotFound("The room");
        }

        if (!erase)
        {
            return TypedResults.NoContent();
        }

        var result = await pipeline.SendAsync(EraseHistoryCommand.OfRoom(team, found.Id, AuditLog.Erasure(context, AuditTarget.Room(found.Id))), cancellationToken);
        return result.Outcome == ErasureOutcome.Live
            ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "room-live",
                "The room has a live session: its history can be deleted once that session has ended.")
            : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ErasureAnswer>, ProblemHttpResult>> PersonAsync(
        HttpContext context, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        var values = context.Request.Query["external_id"];
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= 200 } externalId || string.IsNullOrWhiteSpace(externalId))
        {
            return Problems.Validation("external_id", "'external_id' is required, once, with 1 to 200 characters: the identity to erase.");
        }

        var result = await pipeline.SendAsync(EraseHistoryCommand.OfPerson(context.User.TeamOf(), externalId,
            AuditLog.Erasure(context, new AuditTarget("person", null))), cancellationToken);
        return result.Outcome == ErasureOutcome.Live
            ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "participant-live",
                "The person is in a live session: erase them once it has ended (its grace period included). Nothing was changed.")
            : TypedResults.Ok(ErasureAnswer.From(result.Counts));
    }
}
