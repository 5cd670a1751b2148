using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record ExpiryOptions(int Sessions, int Clients, TimeSpan Lead, TimeSpan Spread, TimeSpan PollInterval, int Grace);

/// <summary>
/// Grace expiry at scale: many empty sessions whose deadlines fall in a window a little ahead, then a direct look into
/// the store every few milliseconds to see when the sweeper actually writes each end. Lateness is the time from a
/// session's deadline to the first look that finds its end written (an upper bound, within one look). Before the
/// first deadline, the server's CPU use while sessions wait and none is due is measured, next to the same server empty.
/// </summary>
public static class ExpiryScenario
{
    public static async Task<int> RunAsync(BenchContext bench, ExpiryOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        using var store = await bench.NewStoreAsync("expiry", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        using var api = BenchHttp.Client(server.BaseAddress);
        if (o.Grace > 0)
        {
            (await api.PatchAsJsonAsync("/api/v1/team", new { grace_period = o.Grace }, cancellationToken)).EnsureSuccessStatusCode();
        }

        var grace = (await api.GetFromJsonAsync<JsonElement>("/api/v1/team", cancellationToken)).GetProperty("grace_period").GetInt32();

        output.WriteLine("Idle CPU of the empty server (20 s, after 30 s to settle)...");
        await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        var emptyCpu = await CpuOverAsync(server, TimeSpan.FromSeconds(20), cancellationToken);

        // Deadlines spread evenly over the window; the rooms are dealt round-robin to the clients, so every batch mixes deadlines.
        var firstDeadline = DateTimeOffset.UtcNow.Add(o.Lead).ToUnixTimeMilliseconds();
        var spreadMs = (long)o.Spread.TotalMilliseconds;
        long DeadlineOf(int room) => firstDeadline + (room * spreadMs / o.Sessions);
        output.WriteLine($"Filling: {o.Sessions:N0} sessions left empty so that their deadlines (grace {grace} s) fall {o.Lead.TotalSeconds:0}–{(o.Lead + o.Spread).TotalSeconds:0} s from now...");
        var perClient = Enumerable.Range(0, o.Clients).Select(client =>
        {
            var script = new ScriptedSessions($"{bench.Tag}-w{client}-", client);
            return Seeder.Share(client, o.Clients, o.Sessions).SelectMany(r =>
                script.Waiting(string.Create(CultureInfo.InvariantCulture, $"wait-{r:D6}"), DeadlineOf(r) - (grace * 1000L)));
        }).ToList();
        var filled = await Seeder.PostAsync(server.BaseAddress, perClient, cancellationToken);
        output.WriteLine($"  {filled.Events:N0} events in {filled.Seconds:0} s ({Table.Rate(filled.EventsPerSecond)} events/s).");

        using var probe = store.OpenProbe();
        var waiting = probe.Waiting().OrderBy(w => w.Deadline).ToList();
        var untilFirst = TimeSpan.FromMilliseconds(firstDeadline - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        output.WriteLine($"{waiting.Count:N0} sessions waiting; the first is due in {untilFirst.TotalSeconds:0} s.");
        if (waiting.Count != o.Sessions || untilFirst < TimeSpan.FromSeconds(8))
        {
            output.WriteLine("The fill took too long or did not leave every session waiting: raise --lead.");
            return 1;
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var idleWindow = untilFirst - TimeSpan.FromSeconds(4);
        output.WriteLine($"Idle CPU with {waiting.Count:N0} sessions waiting and none due ({idleWindow.TotalSeconds:0} s)...");
        var waitingCpu = await CpuOverAsync(server, idleWindow, cancellationToken);

        output.WriteLine("Watching the sweeper...");
        var (lateness, looks) = await WatchAsync(probe, waiting, o, cancellationToken);
        var stats = server.Stats();
        var late = Percentiles.Of(lateness);
        var sweep = TimeSpan.FromMilliseconds(250);
        new Table($"Grace expiry — {bench.Target.Name}, {waiting.Count:N0} sessions waiting, deadlines over {o.Spread.TotalSeconds:0} s",
                "measure", "value", "ratio")
            .Add("sessions ended by the sweeper", late.Count.ToString("N0", CultureInfo.InvariantCulture), $"{late.Count / (double)waiting.Count:P0} of those waiting")
            .Add("lateness after the deadline, p50", Table.Ms(late.P50), Table.Ratio(late.P50 / sweep.TotalMilliseconds) + " the 250 ms sweep interval")
            .Add("lateness, p99", Table.Ms(late.P99), Table.Ratio(late.P99 / sweep.TotalMilliseconds) + " the sweep interval")
            .Add("lateness, max", Table.Ms(late.Max), Table.Ratio(late.Max / sweep.TotalMilliseconds) + " the sweep interval")
            .Add("look resolution (median time between looks)", Table.Ms(looks.P50), null)
            .Add("server CPU while sessions wait, none due", Table.Percent(waitingCpu * 100) + " of one core",
                Table.Ratio(waitingCpu / Math.Max(emptyCpu, 0.0005)) + " the empty server's " + Table.Percent(emptyCpu * 100))
            .Add("server RSS at the end / peak", $"{Table.Mb(stats.RssBytes)} / {Table.Mb(stats.PeakRssBytes)}", null)
            .Print(output);
        return late.Count == waiting.Count ? 0 : 1;
    }

    private static async Task<(List<double> Lateness, Percentiles Looks)> WatchAsync(
        IStoreProbe probe, List<(string Id, long Deadline)> waiting, ExpiryOptions o, CancellationToken cancellationToken)
    {
        var lateness = new List<double>(waiting.Count);
        var candidates = new Dictionary<string, long>();
        var looks = new List<double>();
        var next = 0;
        var giveUp = waiting[^1].Deadline + 60_000;
        var last = Stopwatch.GetTimestamp();
        while (lateness.Count < waiting.Count && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < giveUp)
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (; next < waiting.Count && waiting[next].Deadline <= before; next++)
            {
                candidates[waiting[next].Id] = waiting[next].Deadline;
            }

            var overdue = probe.Overdue(before);
            var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var (id, deadline) in candidates.Where(c => !overdue.Contains(c.Key)).ToList())
            {
                lateness.Add(after - deadline);
                candidates.Remove(id);
            }

            looks.Add(Stopwatch.GetElapsedTime(last).TotalMilliseconds);
            last = Stopwatch.GetTimestamp();
            await Task.Delay(o.PollInterval, cancellationToken);
        }

        return (lateness, Percentiles.Of(looks));
    }

    private static async Task<double> CpuOverAsync(ChildServer server, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = server.Stats().CpuTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        return (server.Stats().CpuTime - before).TotalSeconds / clock.Elapsed.TotalSeconds;
    }
}
