using System.Diagnostics;
using System.Net;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;

namespace Callscope.Bench.Scenarios;

public sealed record SoakOptions(TimeSpan Duration, double EventsPerSecond, int Clients, int Rooms, int Subscribers);

/// <summary>
/// Ten minutes (by default) of paced ingest while dashboards are open: each subscriber follows the dashboard's
/// live-update stream and, like an open sessions page, reloads the live sessions at most once a second when told
/// something changed. Per minute: ingest rate and latency, the server's memory and CPU, the dashboards' refreshes.
/// Memory and latency should stay flat.
/// </summary>
public static class SoakScenario
{
    private const string UpdatesPath = "/dashboard/updates";

    public static async Task<int> RunAsync(BenchContext bench, SoakOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        using var store = await bench.NewStoreAsync("soak", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var dashboards = new Dashboards();
        var subscribers = await StreamExistsAsync(server.BaseAddress, cancellationToken)
            ? Enumerable.Range(0, o.Subscribers).Select(_ => dashboards.FollowAsync(server.BaseAddress, stop.Token)).ToList()
            : [];
        output.WriteLine(subscribers.Count > 0
            ? $"{subscribers.Count} dashboards follow {UpdatesPath} and reload the live sessions on each change (at most once a second)."
            : $"{UpdatesPath} does not exist on this server: ingest only.");

        var minutes = new List<(double Cores, long Rss)>();
        var sampler = SampleEveryMinuteAsync(server, minutes, stop.Token);
        var sources = IngestScenario.Traffic(bench.Tag, o.Clients, o.Rooms, 1000)
            .Select((s, i) => (IBatchSource)new SimulatorSource(s, 100, 1000, 2000 + i)).ToList();
        output.WriteLine($"Ingesting {o.EventsPerSecond:N0} events/s for {o.Duration.TotalMinutes:0} minutes...");
        var started = Stopwatch.GetTimestamp();
        var result = await LoadRunner.RunAsync(server.BaseAddress, sources, new LoadPlan(IngestScenario.IngestPath, TimeSpan.Zero, o.Duration, o.EventsPerSecond), cancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll([sampler, .. subscribers]);

        var table = new Table($"Soak — {bench.Target.Name}, {o.EventsPerSecond:N0} events/s offered, {subscribers.Count} dashboards",
            "minute", "events/s", "ack p50", "ack p99", "server CPU", "RSS", "dashboard reloads", "reload p95");
        for (var m = 0; m < minutes.Count; m++)
        {
            var from = started + (m * 60 * Stopwatch.Frequency);
            var to = from + (60 * Stopwatch.Frequency);
            var inMinute = result.All.Where(s => s.CompletedAt > from && s.CompletedAt <= to).ToList();
            var latency = Percentiles.Of(inMinute.Select(s => s.Milliseconds));
            var reloads = dashboards.Between(from, to);
            table.Add(m + 1, Table.Rate(inMinute.Where(s => s.Status == 202).Sum(s => s.Events) / 60.0), Table.Ms(latency.P50), Table.Ms(latency.P99),
                $"{minutes[m].Cores:0.00} cores", Table.Mb(minutes[m].Rss), reloads.Count, Table.Ms(Percentiles.Of(reloads).P95));
        }

        table.Print(output);
        if (minutes.Count >= 2)
        {
            output.WriteLine($"RSS from the first to the last minute: {Table.Mb(minutes[0].Rss)} → {Table.Mb(minutes[^1].Rss)}; failures: {(result.Failures == 0 ? "none" : result.FailureSummary)}.");
        }

        return result.Failures == 0 && dashboards.Failures == 0 ? 0 : 1;
    }

    private static async Task<bool> StreamExistsAsync(Uri server, CancellationToken cancellationToken)
    {
        using var client = BenchHttp.Client(server);
        using var response = await client.GetAsync(UpdatesPath, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static async Task SampleEveryMinuteAsync(ChildServer server, List<(double Cores, long Rss)> minutes, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        var cpu = server.Stats().CpuTime;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var stats = server.Stats();
                minutes.Add(((stats.CpuTime - cpu).TotalSeconds / 60, stats.RssBytes));
                cpu = stats.CpuTime;
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>Open dashboards: each follows the update stream and reloads what a sessions page shows.</summary>
    private sealed class Dashboards
    {
        private readonly List<(long At, double Milliseconds)> reloads = [];

        public int Failures { get; private set; }

        public List<double> Between(long from, long to)
        {
            lock (reloads)
            {
                return [.. reloads.Where(r => r.At > from && r.At <= to).Select(r => r.Milliseconds)];
            }
        }

        public async Task FollowAsync(Uri server, CancellationToken cancellationToken)
        {
            using var stream = BenchHttp.Client(server);
            stream.Timeout = Timeout.InfiniteTimeSpan;
            using var page = BenchHttp.Client(server);
            var lastReload = 0L;
            try
            {
                using var response = await stream.GetAsync(UpdatesPath, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line != "event: changed" || Stopwatch.GetElapsedTime(lastReload) < TimeSpan.FromSeconds(1))
                    {
                        continue;
                    }

                    lastReload = Stopwatch.GetTimestamp();
                    using var reload = await page.GetAsync("/api/v1/sessions?live=true&limit=50", cancellationToken);
                    await reload.Content.LoadIntoBufferAsync(cancellationToken);
                    var done = Stopwatch.GetTimestamp();
                    lock (reloads)
                    {
                        reloads.Add((done, Stopwatch.GetElapsedTime(lastReload, done).TotalMilliseconds));
                        Failures += reload.IsSuccessStatusCode ? 0 : 1;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }
    }
}
