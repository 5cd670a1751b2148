using Callscope.Core;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Audit;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Export;
using Callscope.Server.Participants;
using Callscope.Server.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Sessions;

public static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessionRoutes(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("/", ListAsync).WithName("ListSessions").WithSummary("List the team's sessions")
            .WithQueryParameters(QueryDocs.SessionFilters);
        sessions.MapGet("/{id}", Detail).WithName("GetSession").WithSummary("Get a session");
        sessions.MapGet("/{id}/statistics", (string id, HttpContext context, SessionQueries queries, TimeProvider clock) =>
                Metrics.Select(context, Detail(id, context, queries, clock)))
            .WithName("GetSessionStatistics").WithSummary("Get a session's statistics").WithQueryParameters(StatisticsDocs.Current);
        sessions.MapPost("/{id}/end", EndAsync).WithName("EndSession").WithSummary("End a live session now")
            .RequireAuthorization(TeamClaims.AdminPolicy);
        sessions.MapGet("/{id}/participants", Participants).WithName("ListSessionParticipants").WithSummary("List a session's participants")
            .WithQueryParameters(QueryDocs.ParticipantFilters);
        api.MapGet("/rooms/{room}/sessions", RoomSessions).WithTags("Sessions").WithName("ListRoomSessions")
            .WithSummary("List one room's sessions").WithQueryParameters(QueryDocs.SessionFilters);
        return api;
    }

    private static Results<Ok<ListResponse<SessionItem>>, ProblemHttpResult, CsvList<SessionItem>> ListAsync(HttpContext context, SessionQueries queries, TimeProvider clock) =>
        List(context, queries, clock, room: null);

    private static Results<Ok<ListResponse<SessionItem>>, ProblemHttpResult, CsvList<SessionItem>> RoomSessions(
        string room, HttpContext context, SessionQueries queries, RoomStore rooms, TimeProvider clock)
    {
        if (rooms.Find(context.User.TeamOf(), room) is not { } found)
        {
            return Problems.NotFound("The room");
        }

        return List(context, queries, clock, found.Id);
    }

    private static Results<Ok<ListResponse<SessionItem>>, ProblemHttpResult, CsvList<SessionItem>> List(HttpContext context, SessionQueries queries, TimeProvider clock, RoomId? room)
    {
        var query = new QueryReader(context.Request.Query);
        var filter = new SessionFilter(
            Live: query.Bool("live"),
            RoomId: room ?? (query.Uuid("room_id") is { } id ? new RoomId(id) : null),
            From: query.Date("date_start", endOfDay: false),
            To: query.Date("date_end", endOfDay: true),
            Query: query.Text("q", 200),
            HasIssues: query.Bool("has_issues"));
        var csv = ListFormat.Csv(context.Request, query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        if (csv)
        {
            var at = clock.GetUtcNow();
            return new CsvList<SessionItem>("sessions", queries.ListAll(context.User.TeamOf(), filter, paging.Descending).Select(s => SessionItem.From(s, at)));
        }

        var page = queries.List(context.User.TeamOf(), filter, paging);
        if (page.UnknownCursor)
        {
            return QueryReader.UnknownCursor();
        }

        var now = clock.GetUtcNow();
        return TypedResults.Ok(new ListResponse<SessionItem>(page.TotalCount, [.. page.Data.Select(s => SessionItem.From(s, now))]));
    }

    private static Results<Ok<SessionDetail>, ProblemHttpResult> Detail(string id, HttpContext context, SessionQueries queries, TimeProvider clock)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || queries.Find(team, id) is not { } session)
        {
            return Problems.NotFound("The session");
        }

        var participants = queries.Participants(team, new ParticipantFilter(SessionId: session.Id), new Paging(Limit: int.MaxValue)).Data;
        return TypedResults.Ok(SessionDetail.From(session, participants, queries.Activity(team, session), clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<SessionDetail>, ProblemHttpResult>> EndAsync(
        string id, HttpContext context, SessionEnding ending, SessionQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _))
        {
            return Problems.NotFound("The session");
        }

        var outcome = await ending.EndAsync(team, id.ToLowerInvariant(), context.User.ActorOf(),
            AuditLog.Entry(context, AuditActions.SessionEnded, AuditTarget.Session(id.ToLowerInvariant())), cancellationToken);
        return outcome switch
        {
            EndOutcome.NotFound => Problems.NotFound("The session"),
            EndOutcome.NotLive => Problems.Create(StatusCodes.Status422UnprocessableEntity, "session-not-live", "The session is not live, so it cannot be ended."),
            _ => Detail(id, context, queries, clock),
        };
    }

    private static Results<Ok<ListResponse<ParticipantItem>>, ProblemHttpResult, CsvList<ParticipantItem>> Participants(
        string id, HttpContext context, SessionQueries queries, TimeProvider clock)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || queries.Find(team, id) is not { } session)
        {
            return Problems.NotFound("The session");
        }

        return ParticipantEndpoints.List(context, queries, clock, new ParticipantFilter(SessionId: session.Id));
    }
}
