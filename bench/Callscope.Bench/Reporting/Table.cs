using System.Globalization;

namespace Callscope.Bench.Reporting;

/// <summary>A result table, printed as Markdown so that it can go into docs/benchmarks.md as it is.</summary>
public sealed class Table(string title, params string[] columns)
{
    private readonly List<string[]> rows = [];

    public Table Add(params object?[] cells)
    {
        rows.Add([.. cells.Select(Format)]);
        return this;
    }

    public void Print(TextWriter output)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine();
        output.WriteLine($"### {title}");
        output.WriteLine();
        output.WriteLine(Line(columns, widths));
        output.WriteLine(Line([.. widths.Select(w => new string('-', w))], widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }

        output.WriteLine();
        output.Flush();
    }

    public static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";

    public static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MB";

    private static string Line(string[] cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";

    private static string Format(object? cell) => cell switch
    {
        null => "–",
        double d => d.ToString("#,0.##", CultureInfo.InvariantCulture),
        long or int => string.Format(CultureInfo.InvariantCulture, "{0:#,0}", cell),
        _ => cell.ToString() ?? string.Empty,
    };
}
