namespace Callscope.Server.Statistics;

/// <summary>The statistics endpoints' query parameters, which they read strictly themselves, for the OpenAPI document.</summary>
public static class StatisticsDocs
{
    public static readonly (string Name, string Description)[] Current =
    [
        (Metrics.Parameter, "Comma-separated field names: the answer keeps exactly these fields (default: every field). An unknown name is a 400."),
    ];

    private static readonly (string Name, string Description)[] Dates =
    [
        ("date_start", "YYYY-MM-DD (from that UTC day's start) or RFC 3339 (from that time). Default: the first day of the current period."),
        ("date_end", "YYYY-MM-DD (until that UTC day's end, inclusive) or RFC 3339 (until that time, exclusive). Default: today."),
    ];

    public static readonly (string Name, string Description)[] Period =
    [
        .. Dates,
        .. Current,
    ];

    public static readonly (string Name, string Description)[] Timeline =
    [
        .. Dates,
        ("interval", "minute (a range of at most 2 days), hour (93 days) or day (3,700 days; the default)."),
        ("format", "csv: the points as a CSV file (also with Accept: text/csv); json (default)."),
    ];
}
