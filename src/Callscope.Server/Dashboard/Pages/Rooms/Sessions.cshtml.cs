using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Rooms;

/// <summary>One room's sessions, live and ended, newest first.</summary>
public sealed class RoomSessionsModel(RoomStore rooms, SessionQueries queries, TimeProvider clock) : DashboardPage
{
    public const int PageSize = 20;

    public Room Room { get; private set; } = null!;

    public SessionTable Table { get; private set; } = null!;

    public IActionResult OnGet(string id)
    {
        if (!Guid.TryParse(id, out _) || rooms.Find(Team, id) is not { } room)
        {
            return Missing("This room");
        }

        Room = room;
        var pager = new Pager(Request, PageSize);
        var page = queries.List(Team, new SessionFilter(RoomId: room.Id), new Paging(Limit: PageSize, Offset: pager.Offset));
        Table = new SessionTable("room-sessions", page.Data, clock.GetUtcNow(), IsAdmin, ShowRoomLink: false,
            "No sessions in this room yet.", pager.Of(page.TotalCount));
        return Page();
    }
}
