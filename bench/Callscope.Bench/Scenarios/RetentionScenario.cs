using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

/// <param name="Ingest">The ingest workload run with retention off, then while it deletes.</param>
/// <param name="BacklogRooms">Rooms with old history.</param>
/// <param name="SessionsPerRoom">Ended sessions in each of them, four days old and older.</param>
public sealed record RetentionBenchOptions(IngestOptions Ingest, int BacklogRooms, int SessionsPerRoom);

/// <summary>
/// Retention (docs/operations.md, "Retention"): one server and store hold a backlog of old sessions. Ingest is measured
/// with retention off, then, on the same server, with <c>retention_days</c> set to 1 so that the retention worker deletes
/// the whole backlog while the load runs; the old rows are counted every two seconds to time the deletion.
/// </summary>
public static class RetentionScenario
{
    private const long DayMs = 86_400_000;

    public static async Task<int> RunAsync(BenchContext bench, RetentionBenchOptions r, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        var o = r.Ingest;
        Machine.Print(output, bench.Target);
        using var store = await bench.NewStoreAsync("retention", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken,
            new Dictionary<string, string> { ["Callscope__Retention__Interval"] = "00:00:01" });
        using var api = BenchHttp.Client(server.BaseAddress);

        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var start = nowMs - (4 * DayMs) - (r.SessionsPerRoom * 2 * 3_600_000L);
        output.WriteLine($"Backlog: {r.BacklogRooms:N0} rooms × {r.SessionsPerRoom} ended sessions, starting {DateTimeOffset.FromUnixTimeMilliseconds(start):u}...");
        var perClient = Enumerable.Range(0, o.Clients).Select(client =>
        {
            var script = new ScriptedSessions($"{bench.Tag}-r{client}-", client);
            return Seeder.Share(client, o.Clients, r.BacklogRooms)
                .SelectMany(room => script.History(string.Create(CultureInfo.InvariantCulture, $"old-{room:D5}"), start, r.SessionsPerRoom));
        }).ToList();
        var filled = await Seeder.PostAsync(server.BaseAddress, perClient, cancellationToken);
        output.WriteLine($"  {filled.Events:N0} events in {filled.Seconds:0} s.");

        using var probe = store.OpenProbe();
        var horizon = Floor(nowMs - DayMs, DayMs);
        var waited = Stopwatch.StartNew();
        while (probe.UsageBacklog(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) > 0 && waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(500, cancellationToken);
        }

        var backlog = probe.RowsBefore(horizon);
        output.WriteLine($"Usage roll-ups stored after {waited.Elapsed.TotalSeconds:0} s; {backlog:N0} rows (events, sessions, participants) before the horizon.");

        output.WriteLine($"Ingest with retention off: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
        var off = await LoadRunner.RunAsync(server.BaseAddress, IngestScenario.Sources($"{bench.Tag}off", o),
            new LoadPlan(IngestScenario.IngestPath, o.Warmup, o.Duration), cancellationToken);

        output.WriteLine($"Ingest while retention (1 day) deletes the backlog: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
        var load = LoadRunner.RunAsync(server.BaseAddress, IngestScenario.Sources($"{bench.Tag}on", o),
            new LoadPlan(IngestScenario.IngestPath, o.Warmup, o.Duration), cancellationToken);
        await Task.Delay(o.Warmup, cancellationToken);
        (await api.PatchAsJsonAsync("/api/v1/team", new { retention_days = 1 }, cancellationToken)).EnsureSuccessStatusCode();
        var deleting = Stopwatch.StartNew();
        TimeSpan? done = null;
        var left = backlog;
        while (!load.IsCompleted)
        {
            await Task.WhenAny(load, Task.Delay(2000, cancellationToken));
            if (done is null && (left = probe.RowsBefore(horizon)) == 0)
            {
                done = deleting.Elapsed;
            }
        }

        var on = await load;
        while (done is null && deleting.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(500, cancellationToken);
            if ((left = probe.RowsBefore(horizon)) == 0)
            {
                done = deleting.Elapsed;
            }
        }

        var seconds = (done ?? deleting.Elapsed).TotalSeconds;
        new Table($"Retention — {bench.Target.Name}, {o.Clients} clients, {o.Duration.TotalSeconds:0} s each, same server and store",
                "what", "events/s", "p50", "p99", "÷ retention off")
            .Add("ingest, retention off", Table.Rate(off.EventsPerSecond), Table.Ms(off.Latency.P50), Table.Ms(off.Latency.P99), "1×")
            .Add("ingest while retention deletes", Table.Rate(on.EventsPerSecond), Table.Ms(on.Latency.P50), Table.Ms(on.Latency.P99),
                Table.Ratio(on.EventsPerSecond / off.EventsPerSecond))
            .Print(output);
        output.WriteLine($"Deletion: {backlog - left:N0} of {backlog:N0} rows before the horizon deleted in {seconds:0.0} s "
            + $"({Table.Rate((backlog - left) / seconds)} rows/s, first pass within 1 s of the setting){(done is null ? "; not finished" : "")}.");
        output.WriteLine($"Failures: {(off.Failures + on.Failures == 0 ? "none" : off.FailureSummary + " " + on.FailureSummary)}.");
        return left == 0 && off.Failures + on.Failures == 0 ? 0 : 1;
    }

    private static long Floor(long ms, long unit) => ms - (ms % unit);
}
