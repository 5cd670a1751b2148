using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Callscope.Server.Tests.Telemetry;

/// <summary>One scrape of <c>/metrics</c> in Prometheus' text format, read into series and their values.</summary>
public sealed partial class MetricsText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> series = [];

    private MetricsText(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["k"].Value, m => m.Groups["v"].Value);
            series.Add((match.Groups["name"].Value, labels, Number(match.Groups["value"].Value)));
        }
    }

    public string Text { get; }

    /// <summary>Scrapes <c>/metrics</c> and expects metric text.</summary>
    public static async Task<MetricsText> ScrapeAsync(HttpClient client, string path = "/metrics")
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new MetricsText(text);
    }

    /// <summary>The sum of every series of <paramref name="name"/> whose labels include the given ones (0 when there is none).</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        series.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>How much <see cref="Value"/> of the same series has grown since the scrape <paramref name="before"/>.</summary>
    public double Delta(MetricsText before, string name, params (string Key, string Value)[] labels) => Value(name, labels) - before.Value(name, labels);

    public bool Has(string name) => series.Any(s => s.Name == name);

    private static double Number(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[^ ]+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}

/// <summary>
/// The metrics tests assert exact counts, so nothing else in the test process may ingest while they run; and every
/// host's meter is named <c>Callscope</c>, so another host stopping meanwhile could end a metric stream they share.
/// </summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;
