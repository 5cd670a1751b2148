using Callscope.Core;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Rooms;

public sealed record LiveParticipantItem(string Id, string? ExternalId, string? Name, string? Role, DateTimeOffset JoinTime);

public sealed record LiveRoomItem(string Id, string? ExternalId, string FriendlyUrl, string SessionId, DateTimeOffset StartTime, long SessionDuration, int LiveParticipants);

public sealed record LiveRoomWithParticipants(string Id, string? ExternalId, string FriendlyUrl, string SessionId, DateTimeOffset StartTime,
    long SessionDuration, IReadOnlyList<LiveParticipantItem> LiveParticipants);

/// <summary>Digital Samba's live-room endpoints: rooms with a live session and who is in them now.</summary>
public static class LiveRoomEndpoints
{
    public static RouteGroupBuilder MapLiveRoomRoutes(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Live rooms");
        rooms.MapGet("/live", (HttpContext c, SessionQueries q, TimeProvider t) => List(c, q, t, Counts))
            .WithName("ListLiveRooms").WithSummary("Rooms with a live session").WithQueryParameters(QueryDocs.Paging);
        rooms.MapGet("/live/participants", (HttpContext c, SessionQueries q, TimeProvider t) => List(c, q, t, WithParticipants))
            .WithName("ListLiveRoomsWithParticipants").WithSummary("Rooms with a live session and their live participants")
            .WithQueryParameters(QueryDocs.Paging);
        rooms.MapGet("/{room}/live", (string room, HttpContext c, SessionQueries q, RoomStore r, TimeProvider t) => One(room, c, q, r, t, Counts))
            .WithName("GetLiveRoom").WithSummary("A room's live session");
        rooms.MapGet("/{room}/live/participants", (string room, HttpContext c, SessionQueries q, RoomStore r, TimeProvider t) => One(room, c, q, r, t, WithParticipants))
            .WithName("GetLiveRoomParticipants").WithSummary("A room's live session and its live participants");
        return api;
    }

    private static Results<Ok<ListResponse<T>>, ProblemHttpResult> List<T>(
        HttpContext context, SessionQueries queries, TimeProvider clock, Func<LiveRoom, DateTimeOffset, T> shape)
    {
        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        // The cursor is a room id; anything else names no item of this list.
        if (paging.After is { } after && !Guid.TryParseExact(after, "D", out _))
        {
            return QueryReader.UnknownCursor();
        }

        var page = queries.LiveRooms(context.User.TeamOf(), null, paging);
        if (page.UnknownCursor)
        {
            return QueryReader.UnknownCursor();
        }

        var now = clock.GetUtcNow();
        return TypedResults.Ok(new ListResponse<T>(page.TotalCount, [.. page.Data.Select(r => shape(r, now))]));
    }

    private static Results<Ok<T>, ProblemHttpResult> One<T>(
        string room, HttpContext context, SessionQueries queries, RoomStore rooms, TimeProvider clock, Func<LiveRoom, DateTimeOffset, T> shape)
    {
        var team = context.User.TeamOf();
        if (rooms.Find(team, room) is not { } found)
        {
            return Problems.NotFound("The room");
        }

        return queries.LiveRooms(team, found.Id, new Paging(Limit: 1)).Data is [var live]
            ? TypedResults.Ok(shape(live, clock.GetUtcNow()))
            : Problems.Create(StatusCodes.Status404NotFound, "not-live", "The room has no live session.");
    }

    private static LiveRoomItem Counts(LiveRoom r, DateTimeOffset now) =>
        new(r.RoomId.ToString(), r.ExternalId, r.FriendlyUrl, r.SessionId.ToString(), r.Start, (long)(now - r.Start).TotalSeconds, r.LiveParticipants.Count);

    private static LiveRoomWithParticipants WithParticipants(LiveRoom r, DateTimeOffset now) =>
        new(r.RoomId.ToString(), r.ExternalId, r.FriendlyUrl, r.SessionId.ToString(), r.Start, (long)(now - r.Start).TotalSeconds,
            [.. r.LiveParticipants.Select(p => new LiveParticipantItem(p.Id.ToString(), p.ExternalId, p.Name, p.Role, p.JoinTime))]);
}
