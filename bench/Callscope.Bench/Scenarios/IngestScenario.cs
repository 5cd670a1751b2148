using System.Diagnostics;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record IngestOptions(int Clients, int Rooms, int BatchMin, int BatchMax, TimeSpan Warmup, TimeSpan Duration, TimeSpan BaselineDuration, int RawRows, bool RandomIds);

/// <summary>
/// Sustained ingest over real HTTP into the real server, with the two baselines measured in the same run: the
/// database's raw insert rate for rows of the same shape, and a bare Kestrel endpoint taking the same request bodies.
/// </summary>
public static class IngestScenario
{
    public const string IngestPath = "/api/v1/ingest/events";

    public static async Task<int> RunAsync(BenchContext bench, IngestOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        output.WriteLine($"Workload: {o.Rooms:N0} rooms over {o.Clients} clients, batches of {o.BatchMin}–{o.BatchMax} events, one request in flight per client, {(o.RandomIds ? "random event ids" : "event ids in each client's own sequence")}.");

        var (rawRate, rawIndexed) = await RawRatesAsync(bench, o, cancellationToken);

        LoadResult bareRead, bareParse;
        await using (var bare = await ChildServer.StartBareAsync(cancellationToken))
        {
            output.WriteLine($"Bare Kestrel baseline: {o.BaselineDuration.TotalSeconds:0} s reading bodies, {o.BaselineDuration.TotalSeconds:0} s parsing them...");
            bareRead = await LoadRunner.RunAsync(bare.BaseAddress, Sources(bench.Tag, o), new LoadPlan(BareServer.ReadPath, o.Warmup, o.BaselineDuration), cancellationToken);
            bareParse = await LoadRunner.RunAsync(bare.BaseAddress, Sources(bench.Tag, o), new LoadPlan(BareServer.ParsePath, o.Warmup, o.BaselineDuration), cancellationToken);
        }

        output.WriteLine($"Callscope: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
        using var store = await bench.NewStoreAsync("ingest", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        var usage = new CpuWindow(server);
        var window = usage.MeasureAfterAsync(o.Warmup, o.Duration, cancellationToken);
        var result = await LoadRunner.RunAsync(server.BaseAddress, Sources(bench.Tag, o), new LoadPlan(IngestPath, o.Warmup, o.Duration), cancellationToken);
        var cpu = await window;
        var stats = server.Stats();

        using (var probe = store.OpenProbe())
        {
            var acknowledged = result.All.Where(s => s.Status == 202).Sum(s => (long)s.Events);
            var stored = probe.EventCount();
            output.WriteLine($"Check: {acknowledged:N0} events acknowledged, {stored:N0} stored; failures: {(result.Failures == 0 ? "none" : result.FailureSummary)}.");

            // The diagnosis runs beside ingest; once the load stops it must catch up with every marked room.
            var behind = probe.DiagnosisBacklog();
            var catchUp = Stopwatch.StartNew();
            while (probe.DiagnosisBacklog() > 0 && catchUp.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(100, cancellationToken);
            }

            output.WriteLine($"Diagnosis: {behind:N0} rooms waiting when the load stopped, {probe.DiagnosisBacklog():N0} after {catchUp.Elapsed.TotalSeconds:0.0} s.");
        }

        await server.DisposeAsync();
        output.WriteLine($"Callscope with the diagnosis off (Callscope__Diagnosis__Enabled=false): {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
        LoadResult off;
        using (var offStore = await bench.NewStoreAsync("ingest-off", cancellationToken))
        await using (var offServer = await ChildServer.StartCallscopeAsync(offStore, cancellationToken, new Dictionary<string, string> { ["Callscope__Diagnosis__Enabled"] = "false" }))
        {
            off = await LoadRunner.RunAsync(offServer.BaseAddress, Sources(bench.Tag + "off", o), new LoadPlan(IngestPath, o.Warmup, o.Duration), cancellationToken);
        }

        var table = new Table($"Ingest — {bench.Target.Name}, {o.Clients} clients, {o.Duration.TotalSeconds:0} s",
                "what", "events/s", "requests/s", "p50", "p99", "server CPU", "Callscope ÷ this")
            .Add("Callscope: POST /api/v1/ingest/events, 202 after commit", Table.Rate(result.EventsPerSecond), Table.Rate(result.RequestsPerSecond),
                Table.Ms(result.Latency.P50), Table.Ms(result.Latency.P99), $"{cpu.ServerCores:0.00} cores (bench {cpu.BenchCores:0.00})", "1×")
            .Add("Callscope with the diagnosis off", Table.Rate(off.EventsPerSecond), Table.Rate(off.RequestsPerSecond),
                Table.Ms(off.Latency.P50), Table.Ms(off.Latency.P99), null, Table.Ratio(result.EventsPerSecond / off.EventsPerSecond))
            .Add("bare Kestrel, reads the same bodies", Table.Rate(bareRead.EventsPerSecond), Table.Rate(bareRead.RequestsPerSecond),
                Table.Ms(bareRead.Latency.P50), Table.Ms(bareRead.Latency.P99), null, Table.Ratio(result.EventsPerSecond / bareRead.EventsPerSecond))
            .Add("bare Kestrel, reads and parses them as JSON", Table.Rate(bareParse.EventsPerSecond), Table.Rate(bareParse.RequestsPerSecond),
                Table.Ms(bareParse.Latency.P50), Table.Ms(bareParse.Latency.P99), null, Table.Ratio(result.EventsPerSecond / bareParse.EventsPerSecond))
            .Add($"raw {bench.Target.Name} insert ({bench.Target.RawInsertMethod}), same rows, one transaction", Table.Rate(rawRate), null, null, null, null,
                Table.Ratio(result.EventsPerSecond / rawRate));
        if (rawIndexed is { } same)
        {
            table.Add($"raw {bench.Target.Name} insert ({same.Method}), same rows, one transaction", Table.Rate(same.Rate), null, null, null, null,
                Table.Ratio(result.EventsPerSecond / same.Rate));
        }

        table.Print(output);
        if (rawIndexed is { } indexed)
        {
            output.WriteLine($"With the diagnosis off, Callscope ÷ the raw insert with the server's id index: {Table.Ratio(off.EventsPerSecond / indexed.Rate)}.");
        }

        output.WriteLine($"Server memory at the end: RSS {Table.Mb(stats.RssBytes)}, peak {Table.Mb(stats.PeakRssBytes)}.");
        return result.Failures == 0 ? 0 : 1;
    }

    /// <summary>The store's raw insert rate for rows of the workload's shape (printing the workload's mix of events).</summary>
    public static async Task<double> RawRateAsync(BenchContext bench, IngestOptions o, CancellationToken cancellationToken) =>
        (await RawRatesAsync(bench, o, cancellationToken, withServerIndex: false)).Plain;

    /// <summary>
    /// The raw insert rate, and where the server de-duplicates its own way, the rate of the same rows with that index
    /// (each in a store of its own).
    /// </summary>
    private static async Task<(double Plain, (string Method, double Rate)? ServerIndex)> RawRatesAsync(
        BenchContext bench, IngestOptions o, CancellationToken cancellationToken, bool withServerIndex = true)
    {
        var sample = Traffic(bench.Tag + "raw", o, Environment.TickCount);
        var rawEvents = new List<SimEvent>(o.RawRows);
        foreach (var source in sample)
        {
            source.Fill(rawEvents, o.RawRows / sample.Count);
        }

        PrintMix(bench.Output, rawEvents);
        bench.Output.WriteLine($"Raw insert baseline: {rawEvents.Count:N0} rows...");
        double plain;
        using (var rawStore = await bench.NewStoreAsync("raw", cancellationToken))
        {
            plain = await bench.Target.RawInsertRateAsync(rawStore, rawEvents, cancellationToken);
        }

        if (!withServerIndex)
        {
            return (plain, null);
        }

        using var indexedStore = await bench.NewStoreAsync("raw-indexed", cancellationToken);
        return (plain, await bench.Target.RawServerIndexRateAsync(indexedStore, rawEvents, cancellationToken));
    }

    /// <summary>One simulator per client, each owning its share of the rooms; the simulated clock starts a day back.</summary>
    public static List<CallSimulator> Traffic(string tag, int clients, int rooms, int seed, bool randomIds = false)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        var perClient = rooms / clients;
        return [.. Enumerable.Range(0, clients).Select(i => new CallSimulator(seed + i, $"{tag}-{i}-", "room", i * perClient, perClient, start, randomIds))];
    }

    private static List<CallSimulator> Traffic(string tag, IngestOptions o, int seed) => Traffic(tag, o.Clients, o.Rooms, seed, o.RandomIds);

    /// <summary>The same seeds every time, so the baselines receive exactly the bodies Callscope receives.</summary>
    public static List<IBatchSource> Sources(string tag, IngestOptions o) =>
        [.. Traffic(tag, o, 1000).Select((s, i) => (IBatchSource)new SimulatorSource(s, o.BatchMin, o.BatchMax, 2000 + i))];

    private static void PrintMix(TextWriter output, List<SimEvent> events)
    {
        var table = new Table("Event mix of the workload", "type", "share");
        foreach (var group in events.GroupBy(e => e.Type).OrderByDescending(g => g.Count()))
        {
            table.Add(group.Key, Table.Percent(100.0 * group.Count() / events.Count));
        }

        table.Print(output);
    }
}

/// <summary>CPU used by the server and by the bench itself over a window of wall time, in cores.</summary>
public sealed class CpuWindow(ChildServer server)
{
    public async Task<(double ServerCores, double BenchCores)> MeasureAfterAsync(TimeSpan delay, TimeSpan length, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        var (serverBefore, benchBefore, clock) = (server.Stats().CpuTime, Environment.CpuUsage.TotalTime, Stopwatch.StartNew());
        await Task.Delay(length, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        return ((server.Stats().CpuTime - serverBefore).TotalSeconds / seconds, (Environment.CpuUsage.TotalTime - benchBefore).TotalSeconds / seconds);
    }
}
