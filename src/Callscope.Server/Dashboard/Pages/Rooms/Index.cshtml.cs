using Callscope.Data.Sessions;
using Callscope.Data.Teams;

namespace Callscope.Server.Dashboard.Pages.Rooms;

/// <summary>The team's rooms in name order, with what is happening in each.</summary>
public sealed class RoomsModel(DashboardQueries queries, TeamStore teams) : DashboardPage
{
    public const int PageSize = 25;

    public IReadOnlyList<RoomOverview> Rooms { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public Team Settings { get; private set; } = null!;

    public void OnGet()
    {
        Settings = teams.Find(Team)!;
        Pager = new Pager(Request, PageSize);
        var page = queries.Rooms(Team, PageSize, Pager.Offset);
        Rooms = page.Data;
        Pager.Of(page.TotalCount);
    }
}
