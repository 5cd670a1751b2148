namespace Callscope.Server.Browser;

/// <summary>
/// Origins as CORS knows them (<c>scheme://host[:port]</c>, RFC 6454): how a team's allowed origins are written, and
/// the headers that grant one.
/// </summary>
public static class BrowserOrigins
{
    public const int MaxOrigins = 50;
    public const int MaxLength = 200;

    /// <summary>
    /// The origin as browsers send it (lower case, no default port, no trailing slash), or why the text is not one:
    /// http or https, a host, no user, path, query or fragment.
    /// </summary>
    public static (string? Origin, string? Problem) Normalize(string text)
    {
        text = text.Trim();
        if (text.Length is 0 or > MaxLength || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0)
        {
            return (null, $"'{Shown(text)}' is not an origin: write it as https://app.example.com (http or https, a host, an optional port).");
        }

        if (uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || text.EndsWith("//", StringComparison.Ordinal))
        {
            return (null, $"'{Shown(text)}' is not an origin: an origin has no user, path, query or fragment.");
        }

        var host = uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType == UriHostNameType.IPv6 && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return (uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}", null);
    }

    /// <summary>
    /// A team's list as given (a null item is not text): each origin normalised, repeats dropped, the order kept; and
    /// a problem for every item that is not an origin.
    /// </summary>
    public static (List<string> Origins, List<string> Problems) NormalizeAll(IEnumerable<string?> items)
    {
        var origins = new List<string>();
        var problems = new List<string>();
        foreach (var item in items)
        {
            var (origin, problem) = item is null ? (null, "Each allowed origin must be a string.") : Normalize(item);
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else if (!origins.Contains(origin!, StringComparer.Ordinal))
            {
                origins.Add(origin!);
            }
        }

        return (origins, problems);
    }

    /// <summary>The request's <c>Origin</c>, normalised; null when it has none (not a browser's cross-origin call) or an opaque one.</summary>
    public static string? Of(HttpRequest request)
    {
        var header = request.Headers.Origin;
        return header.Count == 1 && header[0] is { Length: > 0 } text && text != "null" ? Normalize(text).Origin ?? text : null;
    }

    /// <summary>Whether the origin is this server's own: pages Callscope serves itself need no grant.</summary>
    public static bool IsOwn(HttpRequest request, string origin) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    /// <summary>Lets the page at <paramref name="origin"/> read the answer, including <c>Retry-After</c> on a 429.</summary>
    public static void Grant(HttpResponse response, string origin)
    {
        response.Headers.AccessControlAllowOrigin = origin;
        response.Headers.AccessControlExposeHeaders = "Retry-After";
        response.Headers.Append("Vary", "Origin");
    }

    private static string Shown(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
