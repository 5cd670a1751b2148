using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Callscope.Server.Export;
using Callscope.Server.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Participants;

public static class ParticipantEndpoints
{
    public static RouteGroupBuilder MapParticipantRoutes(this RouteGroupBuilder api)
    {
        var participants = api.MapGroup("/participants").WithTags("Participants");
        participants.MapGet("/", (HttpContext context, SessionQueries queries, TimeProvider clock) => List(context, queries, clock, new ParticipantFilter()))
            .WithName("ListParticipants").WithSummary("List the team's participants").WithQueryParameters(QueryDocs.ParticipantFilters);
        participants.MapGet("/{id}", Detail).WithName("GetParticipant").WithSummary("Get a participant with its connections");
        participants.MapGet("/{id}/statistics", (string id, HttpContext context, SessionQueries queries, TimeProvider clock) =>
                Metrics.Select(context, Detail(id, context, queries, clock)))
            .WithName("GetParticipantStatistics").WithSummary("Get a participant's statistics").WithQueryParameters(StatisticsDocs.Current);
        participants.MapGet("/{id}/events", Events).WithName("GetParticipantEvents").WithSummary("The participant's events log")
            .WithQueryParameters(QueryDocs.EventFilters);
        api.MapGet("/rooms/{room}/events", RoomEvents).WithTags("Participants").WithName("GetRoomEvents")
            .WithSummary("A room's events log, including events no participant's connection covers").WithQueryParameters(QueryDocs.RoomEventFilters);
        api.MapGet("/rooms/{room}/participants", RoomParticipants).WithTags("Participants").WithName("ListRoomParticipants")
            .WithSummary("List one room's participants").WithQueryParameters(QueryDocs.ParticipantFilters);
        return api;
    }

    internal static Results<Ok<ListResponse<ParticipantItem>>, ProblemHttpResult, CsvList<ParticipantItem>> List(
        HttpContext context, SessionQueries queries, TimeProvider clock, ParticipantFilter scope)
    {
        var query = new QueryReader(context.Request.Query);
        var filter = scope with
        {
            Live = query.Bool("live"),
            RoomId = scope.RoomId ?? (query.Uuid("room_id") is { } room ? new RoomId(room) : null),
            SessionId = scope.SessionId ?? (query.Uuid("session_id") is { } session ? new SessionId(session) : null),
            From = query.Date("date_start", endOfDay: false),
            To = query.Date("date_end", endOfDay: true),
            HasIssues = query.Bool("has_issues"),
        };
        var csv = ListFormat.Csv(context.Request, query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        if (csv)
        {
            var at = clock.GetUtcNow();
            return new CsvList<ParticipantItem>(
                "participants", queries.ParticipantsAll(context.User.TeamOf(), filter, paging.Descending).Select(p => ParticipantItem.From(p, at)));
        }

        var page = queries.Participants(context.User.TeamOf(), filter, paging);
        if (page.UnknownCursor)
        {
            return QueryReader.UnknownCursor();
        }

        var now = clock.GetUtcNow();
        return TypedResults.Ok(new ListResponse<ParticipantItem>(page.TotalCount, [.. page.Data.Select(p => ParticipantItem.From(p, now))]));
    }

    private static Results<Ok<ListResponse<ParticipantItem>>, ProblemHttpResult, CsvList<ParticipantItem>> RoomParticipants(
        string room, HttpContext context, SessionQueries queries, RoomStore rooms, TimeProvider clock) =>
        rooms.Find(context.User.TeamOf(), room) is { } found
            ? List(context, queries, clock, new ParticipantFilter(RoomId: found.Id))
            : Problems.NotFound("The room");

    private static Results<Ok<ParticipantDetail>, ProblemHttpResult> Detail(string id, HttpContext context, SessionQueries queries, TimeProvider clock)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || queries.FindParticipant(team, id) is not { } participant)
        {
            return Problems.NotFound("The participant");
        }

        var chatPosts = queries.Events(team, participant, [SessionActivity.ChatMessage], new Paging(Limit: 1)).TotalCount;
        return TypedResults.Ok(ParticipantDetail.From(participant, chatPosts, clock.GetUtcNow()));
    }

    private static Results<Ok<ListResponse<EventItem>>, ProblemHttpResult> Events(string id, HttpContext context, SessionQueries queries)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || queries.FindParticipant(team, id) is not { } participant)
        {
            return Problems.NotFound("The participant");
        }

        var query = new QueryReader(context.Request.Query);
        var (types, paging) = EventQuery(query, context);
        return query.Valid
            ? EventList(queries.Events(team, participant, types, paging))
            : Problems.Validation(query.Errors);
    }

    private static Results<Ok<ListResponse<EventItem>>, ProblemHttpResult> RoomEvents(string room, HttpContext context, SessionQueries queries, RoomStore rooms)
    {
        var team = context.User.TeamOf();
        if (rooms.Find(team, room) is not { } found)
        {
            return Problems.NotFound("The room");
        }

        var query = new QueryReader(context.Request.Query);
        var (types, paging) = EventQuery(query, context);
        var from = query.Date("date_start", endOfDay: false);
        var to = query.Date("date_end", endOfDay: true);
        return query.Valid
            ? EventList(queries.RoomEvents(team, found.Id, from, to, types, paging))
            : Problems.Validation(query.Errors);
    }

    /// <summary>Events logs read oldest first unless asked otherwise: they are timelines.</summary>
    private static (string[]? Types, Paging Paging) EventQuery(QueryReader query, HttpContext context)
    {
        var types = query.Text("type", 2000)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var paging = query.Paging() with { Descending = context.Request.Query["order"] == "desc" };
        if (types?.FirstOrDefault(t => t.Length > 100) is not null)
        {
            query.Errors.Add(new FieldError("type", "Each type must be at most 100 characters."));
        }

        return (types, paging);
    }

    private static Results<Ok<ListResponse<EventItem>>, ProblemHttpResult> EventList(Page<EventView> page) =>
        page.UnknownCursor
            ? QueryReader.UnknownCursor()
            : TypedResults.Ok(new ListResponse<EventItem>(page.TotalCount, [.. page.Data.Select(EventItem.From)]));

    /// <summary>The event types Callscope knows, as Digital Samba lists its webhook events.</summary>
    public static IReadOnlyList<string> KnownTypes => EventTypes.All;
}
