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
        rooms.MapGet("/live", (HttpContext c, SessionQueries q, TimeProvider t) => Counts(c, q, t, null))
            .WithName("ListLiveRooms").WithSummary("Rooms with a live session");
        rooms.MapGet("/live/participants", (HttpContext c, SessionQueries q, TimeProvider t) => WithParticipants(c, q, t, null))
            .WithName("ListLiveRoomsWithParticipants").WithSummary("Rooms with a live session and their live participants");
        rooms.MapGet("/{room}/live", (string room, HttpContext c, SessionQueries q, RoomStore r, TimeProvider t) =>
                r.Find(c.User.TeamOf(), room) is { } found ? Single(Counts(c, q, t, found.Id)) : Problems.NotFound("The room"))
            .WithName("GetLiveRoom").WithSummary("A room's live session");
        rooms.MapGet("/{room}/live/participants", (string room, HttpContext c, SessionQueries q, RoomStore r, TimeProvider t) =>
                r.Find(c.User.TeamOf(), room) is { } found ? Single(WithParticipants(c, q, t, found.Id)) : Problems.NotFound("The room"))
            .WithName("GetLiveRoomParticipants").WithSummary("A room's live session and its live participants");
        return api;
    }

    private static ListResponse<LiveRoomItem> Counts(HttpContext context, SessionQueries queries, TimeProvider clock, RoomId? room)
    {
        var now = clock.GetUtcNow();
        var live = queries.LiveRooms(context.User.TeamOf(), room);
        return new(live.Count, [.. live.Select(r => new LiveRoomItem(r.RoomId.ToString(), r.ExternalId, r.FriendlyUrl, r.SessionId.ToString(),
            r.Start, (long)(now - r.Start).TotalSeconds, r.LiveParticipants.Count))]);
    }

    private static ListResponse<LiveRoomWithParticipants> WithParticipants(HttpContext context, SessionQueries queries, TimeProvider clock, RoomId? room)
    {
        var now = clock.GetUtcNow();
        var live = queries.LiveRooms(context.User.TeamOf(), room);
        return new(live.Count, [.. live.Select(r => new LiveRoomWithParticipants(r.RoomId.ToString(), r.ExternalId, r.FriendlyUrl, r.SessionId.ToString(),
            r.Start, (long)(now - r.Start).TotalSeconds,
            [.. r.LiveParticipants.Select(p => new LiveParticipantItem(p.Id.ToString(), p.ExternalId, p.Name, p.Role, p.JoinTime))]))]);
    }

    private static Results<Ok<T>, ProblemHttpResult> Single<T>(ListResponse<T> list) =>
        list.Data.Count > 0 ? TypedResults.Ok(list.Data[0]) : Problems.Create(StatusCodes.Status404NotFound, "not-live", "The room has no live session.");
}
