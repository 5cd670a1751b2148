using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>
/// The sessions page: Live (active first, then ending soon) and Ended, with the API's <c>q</c> search and, with
/// <c>problems=1</c>, only the sessions the diagnosis found problems in (the API's <c>has_issues=true</c>).
/// </summary>
public sealed class IndexModel(SessionQueries queries, TimeProvider clock) : DashboardPage
{
    public const int PageSize = 20;

    public bool Ended { get; private set; }

    public string Query { get; private set; } = string.Empty;

    /// <summary>Only sessions with problems.</summary>
    public bool WithProblems { get; private set; }

    public SessionTable Table { get; private set; } = null!;

    public void OnGet(string? tab, string? q, string? problems)
    {
        Ended = tab == "ended";
        WithProblems = problems is "1" or "true" or "on";
        Query = (q ?? string.Empty).Trim();
        if (Query.Length > 200)
        {
            Query = Query[..200];
        }

        var pager = new Pager(Request, PageSize);
        var filter = new SessionFilter(Live: !Ended, Query: Query.Length > 0 ? Query : null, ActiveFirst: !Ended, HasIssues: WithProblems ? true : null);
        var page = queries.List(Team, filter, new Paging(Limit: PageSize, Offset: pager.Offset));
        var kind = Ended ? "ended" : "live";
        var empty = (Query.Length > 0, WithProblems) switch
        {
            (true, true) => $"No {kind} sessions with problems match “{Query}”.",
            (true, false) => $"No {kind} sessions match “{Query}”.",
            (false, true) => $"No {kind} sessions with problems.",
            _ => Ended ? "No session has ended yet." : "No live sessions right now.",
        };
        Table = new SessionTable("sessions", page.Data, clock.GetUtcNow(), IsAdmin, ShowRoomLink: true, empty, pager.Of(page.TotalCount));
    }

    /// <summary>The other tab (or this one) with the same search and problem filter.</summary>
    public string TabHref(bool ended) => Href(ended, Query, WithProblems);

    /// <summary>The search cleared, the tab and the problem filter kept.</summary>
    public string ClearHref => Href(Ended, string.Empty, WithProblems);

    /// <summary>The API's CSV export of the whole list this page shows: the same tab, search and problem filter, every page.</summary>
    public string ExportHref =>
        $"/api/v1/sessions?format=csv&live={(Ended ? "false" : "true")}"
        + (Query.Length > 0 ? $"&q={Uri.EscapeDataString(Query)}" : string.Empty)
        + (WithProblems ? "&has_issues=true" : string.Empty);

    private static string Href(bool ended, string query, bool withProblems) =>
        $"/?tab={(ended ? "ended" : "live")}"
        + (query.Length > 0 ? $"&q={Uri.EscapeDataString(query)}" : string.Empty)
        + (withProblems ? "&problems=1" : string.Empty);
}
