using System.Globalization;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record MemoryOptions(int Sessions, int Clients, TimeSpan Hold, TimeSpan Settle);

/// <summary>Resident memory of the server holding many live sessions, next to the same server empty and a bare Kestrel process.</summary>
public static class MemoryScenario
{
    public static async Task<int> RunAsync(BenchContext bench, MemoryOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);

        long bareRss;
        await using (var bare = await ChildServer.StartBareAsync(cancellationToken))
        {
            var body = BatchBody.From([.. new ScriptedSessions("bare-", 1).Live("bare-room", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
            await LoadRunner.RunAsync(bare.BaseAddress, [new RepeatSource(body, 200)], new LoadPlan(BareServer.ReadPath, TimeSpan.Zero, null), cancellationToken);
            bareRss = bare.Stats().RssBytes;
        }

        using var store = await bench.NewStoreAsync("memory", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        using var api = BenchHttp.Client(server.BaseAddress);
        await api.GetStringAsync("/api/v1/sessions", cancellationToken);
        var empty = server.Stats();
        await using var watch = new MemoryWatch(server.Stats, "filling");

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        output.WriteLine($"Filling: {o.Sessions:N0} live sessions (two people each, with media and quality events), {o.Clients} clients...");
        var perClient = Enumerable.Range(0, o.Clients).Select(client =>
        {
            var script = new ScriptedSessions($"{bench.Tag}-m{client}-", client);
            return Seeder.Share(client, o.Clients, o.Sessions).SelectMany(r => script.Live(string.Create(CultureInfo.InvariantCulture, $"live-{r:D6}"), now));
        }).ToList();
        var filled = await Seeder.PostAsync(server.BaseAddress, perClient, cancellationToken);
        output.WriteLine($"  {filled.Events:N0} events in {filled.Seconds:0} s ({Table.Rate(filled.EventsPerSecond)} events/s).");
        watch.Enter("the reads and 5 s after them");

        // What a dashboard and an API user would ask of a server this busy. (GET /rooms/live is left out: it answers every live
        // room in one response, with one query per room — see docs/benchmarks.md.)
        foreach (var path in (string[])["/api/v1/sessions?live=true", "/api/v1/statistics/current", "/api/v1/participants?live=true"])
        {
            await api.GetStringAsync(path, cancellationToken);
        }

        var live = await api.GetStringAsync("/api/v1/sessions?live=true&limit=1", cancellationToken);
        var asked = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var full = server.Stats();
        watch.Enter($"5–{Math.Max(5, o.Settle.TotalSeconds):0} s after the reads");
        output.WriteLine($"Live sessions reported by the API: {live[..Math.Min(40, live.Length)]}...");
        var table = new Table($"Memory — {bench.Target.Name}, {o.Sessions:N0} live sessions", "process", "RSS", "peak RSS", "÷ bare Kestrel RSS")
            .Add("bare Kestrel after 200 requests", Table.Mb(bareRss), null, "1×")
            .Add("Callscope, empty, after start", Table.Mb(empty.RssBytes), Table.Mb(empty.PeakRssBytes), Table.Ratio(empty.RssBytes / (double)bareRss))
            .Add($"Callscope with {o.Sessions:N0} live sessions, 5 s after the reads", Table.Mb(full.RssBytes), Table.Mb(full.PeakRssBytes), Table.Ratio(full.PeakRssBytes / (double)bareRss));
        if (o.Settle > TimeSpan.FromSeconds(5))
        {
            // The server's background work (the diagnosis of the new rooms, the usage roll-ups) goes on after the fill, and
            // what the process gives back when it falls quiet shows only then.
            await Task.Delay(o.Settle > asked.Elapsed ? o.Settle - asked.Elapsed : TimeSpan.Zero, cancellationToken);
            var settled = server.Stats();
            table.Add($"the same, {o.Settle.TotalSeconds:0} s after the reads", Table.Mb(settled.RssBytes), Table.Mb(settled.PeakRssBytes), Table.Ratio(settled.RssBytes / (double)bareRss));
        }

        table.Print(output);
        var readings = new Table($"Resident memory read every second — {bench.Target.Name}", "phase", "readings", "least", "median", "most");
        foreach (var (phase, count, least, median, most) in watch.Summary())
        {
            readings.Add(phase, count.ToString(CultureInfo.InvariantCulture), Table.Mb(least), Table.Mb(median), Table.Mb(most));
        }

        readings.Print(output);
        if (o.Hold > TimeSpan.Zero)
        {
            output.WriteLine($"Holding the server (PID {server.ProcessId}) for {o.Hold.TotalSeconds:0} s: attach dotnet-counters or dotnet-gcdump now.");
            await Task.Delay(o.Hold, cancellationToken);
        }

        return 0;
    }

    /// <summary>The same body a fixed number of times.</summary>
    private sealed class RepeatSource(BatchBody body, int times) : IBatchSource
    {
        private int left = times;

        public BatchBody? Next() => left-- > 0 ? body : null;
    }
}
