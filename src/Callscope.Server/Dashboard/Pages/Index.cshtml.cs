using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>The sessions page: Live (active first, then ending soon) and Ended, with the API's <c>q</c> search.</summary>
public sealed class IndexModel(SessionQueries queries, TimeProvider clock) : DashboardPage
{
    public const int PageSize = 20;

    public bool Ended { get; private set; }

    public string Query { get; private set; } = string.Empty;

    public SessionTable Table { get; private set; } = null!;

    public void OnGet(string? tab, string? q)
    {
        Ended = tab == "ended";
        Query = (q ?? string.Empty).Trim();
        if (Query.Length > 200)
        {
            Query = Query[..200];
        }

        var pager = new Pager(Request, PageSize);
        var filter = new SessionFilter(Live: !Ended, Query: Query.Length > 0 ? Query : null, ActiveFirst: !Ended);
        var page = queries.List(Team, filter, new Paging(Limit: PageSize, Offset: pager.Offset));
        var empty = Query.Length > 0 ? $"No {(Ended ? "ended" : "live")} sessions match “{Query}”."
            : Ended ? "No session has ended yet." : "No live sessions right now.";
        Table = new SessionTable("sessions", page.Data, clock.GetUtcNow(), IsAdmin, ShowRoomLink: true, empty, pager.Of(page.TotalCount));
    }

    public string TabHref(bool ended) => Query.Length > 0
        ? $"/?tab={(ended ? "ended" : "live")}&q={Uri.EscapeDataString(Query)}"
        : $"/?tab={(ended ? "ended" : "live")}";
}
