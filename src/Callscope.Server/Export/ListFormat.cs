using Callscope.Server.Api;
using Microsoft.Net.Http.Headers;

namespace Callscope.Server.Export;

/// <summary>
/// Whether a list is asked for as CSV: <c>format=csv</c>, or an <c>Accept</c> header that prefers <c>text/csv</c> to
/// JSON. <c>format=json</c> asks for JSON whatever the header says. A CSV holds the whole filtered range, so the paging
/// parameters <c>limit</c>, <c>offset</c> and <c>after</c> are refused with it rather than silently ignored.
/// </summary>
public static class ListFormat
{
    private static readonly string[] PagingOnly = ["limit", "offset", "after"];

    public static bool Csv(HttpRequest request, QueryReader query)
    {
        var csv = query.Text("format", 10) switch
        {
            null => AcceptsCsv(request),
            "csv" => true,
            "json" => false,
            _ => Refuse(query, "format", "'format' must be json or csv."),
        };
        if (csv)
        {
            foreach (var name in PagingOnly.Where(request.Query.ContainsKey))
            {
                query.Errors.Add(new FieldError(name, $"'{name}' does not apply to a CSV export, which holds the whole filtered range."));
            }
        }

        return csv;
    }

    private static bool AcceptsCsv(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        var csv = accept.Where(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)).Select(Quality).DefaultIfEmpty(0).Max();
        var json = accept.Where(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)).Select(Quality).DefaultIfEmpty(0).Max();
        return csv > 0 && csv >= json;
    }

    private static double Quality(MediaTypeHeaderValue value) => value.Quality ?? 1;

    private static bool Refuse(QueryReader query, string name, string message)
    {
        query.Errors.Add(new FieldError(name, message));
        return false;
    }
}
