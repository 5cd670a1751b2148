using Microsoft.AspNetCore.WebUtilities;

namespace Callscope.Server.Dashboard;

/// <summary>
/// Offset paging for the dashboard's lists. The page number travels as <c>p</c> in the query string because Razor
/// Pages reserves the name <c>page</c>.
/// </summary>
public sealed class Pager
{
    public const string Parameter = "p";

    private readonly string path;
    private readonly Dictionary<string, string?> query;

    public Pager(HttpRequest request, int pageSize)
    {
        path = request.Path;
        query = request.Query.Where(q => q.Key != Parameter).ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        PageSize = pageSize;
        Page = int.TryParse(request.Query[Parameter], out var page) && page is > 0 and < 1_000_000 ? page : 1;
    }

    public int Page { get; }

    public int PageSize { get; }

    public int Total { get; private set; }

    public int Offset => (Page - 1) * PageSize;

    public int First => Total == 0 ? 0 : Math.Min(Offset + 1, Total);

    public int Last => Math.Min(Offset + PageSize, Total);

    public bool HasPrevious => Page > 1;

    public bool HasNext => Offset + PageSize < Total;

    public Pager Of(int total)
    {
        Total = total;
        return this;
    }

    public string Href(int page)
    {
        var target = new Dictionary<string, string?>(query);
        if (page > 1)
        {
            target[Parameter] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return QueryHelpers.AddQueryString(path, target.Where(q => !string.IsNullOrEmpty(q.Value)));
    }
}
