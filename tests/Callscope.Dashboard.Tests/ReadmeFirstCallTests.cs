using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Callscope.Server.Demo;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The README's "A first call", taken from the README itself and sent as a newcomer sends it: on an empty team and
/// on a team running <c>--demo</c>. What the README promises must be what the server answers in both.
/// </summary>
public sealed partial class ReadmeFirstCallTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_readmes_first_call_answers_what_the_readme_promises(bool demo)
    {
        var (body, listPath, promised) = FirstCall();
        Assert.Equal(1, promised);
        await using var app = new CallscopeApp();
        DemoData? running = null;
        if (demo)
        {
            running = ActivatorUtilities.CreateInstance<DemoData>(app.Services);
            await running.StartAsync(Cancellation);
            await running.FirstStep.WaitAsync(TimeSpan.FromMinutes(2), Cancellation);
        }

        try
        {
            using var api = app.Api();
            var now = app.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            using var content = new StringContent(body.Replace("'\"$NOW\"'", now, StringComparison.Ordinal), Encoding.UTF8, "application/json");
            using var ingest = await api.PostAsync("/api/v1/ingest/events", content, Cancellation);
            Assert.Equal(1, (await ingest.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("accepted").GetInt32());

            var list = await api.GetFromJsonAsync<JsonElement>(listPath, Cancellation);
            Assert.Equal(promised, list.GetProperty("total_count").GetInt32());
            Assert.Equal("live", list.GetProperty("data")[0].GetProperty("status").GetString());
            Assert.Equal(1, list.GetProperty("data")[0].GetProperty("participants_live").GetInt32());

            // The team-wide list: one session on an empty team, the demo's many more with --demo.
            var all = (await api.GetFromJsonAsync<JsonElement>("/api/v1/sessions", Cancellation)).GetProperty("total_count").GetInt32();
            Assert.True(demo ? all > 1 : all == 1, $"GET /api/v1/sessions counted {all} session(s).");
        }
        finally
        {
            if (running is not null)
            {
                await running.StopAsync(CancellationToken.None);
                running.Dispose();
            }
        }
    }

    /// <summary>The JSON the README posts (still with its shell quoting of $NOW), the list it reads, and the count it promises.</summary>
    private static (string Body, string ListPath, int Promised) FirstCall()
    {
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        var start = readme.IndexOf("## A first call", StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no \"A first call\" section.");
        var section = readme[start..readme.IndexOf("```\n", readme.IndexOf("```bash", start, StringComparison.Ordinal) + 7, StringComparison.Ordinal)];
        var body = PostedBody().Match(section);
        var list = ListCall().Match(section);
        Assert.True(body.Success && list.Success, "The first call's commands were not found in the README.");
        return (body.Groups["body"].Value, list.Groups["path"].Value, int.Parse(list.Groups["count"].Value, CultureInfo.InvariantCulture));
    }

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Callscope.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Callscope.slnx) was not found.");
    }

    [GeneratedRegex(@"-d '(?<body>\{.+?\}\]\})'", RegexOptions.Singleline)]
    private static partial Regex PostedBody();

    [GeneratedRegex(@"curl -s http://127\.0\.0\.1:5080(?<path>/api/v1/\S+) .*\n# \{""total_count"":(?<count>\d+)")]
    private static partial Regex ListCall();
}
