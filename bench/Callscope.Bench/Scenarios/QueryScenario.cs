using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record QueryOptions(int Sessions, int SessionsPerRoom, int LiveSessions, int Samples, TimeSpan Budget, int Clients, bool Reuse, string? Only = null, int Warmup = QueryOptions.DefaultWarmup)
{
    /// <summary>Untimed requests before each query's timed ones, so that the server's code for it is compiled and tiered up.</summary>
    public const int DefaultWarmup = 100;
}

/// <summary>
/// Read latency with a big store: the session list (live, ended, search, deep pages), session and participant
/// detail and the events log, each timed over many requests with different ids, next to the floor of a bare Kestrel
/// GET that answers a body of the same size.
/// </summary>
public static class QueryScenario
{
    private static readonly string[] Words = ["standup", "support", "sales", "design", "allhands", "onboarding", "interview", "webinar", "retro", "planning"];

    public static async Task<int> RunAsync(BenchContext bench, QueryOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        var rooms = o.Sessions / o.SessionsPerRoom;
        var seed = $"history={o.Sessions};per-room={o.SessionsPerRoom};live={o.LiveSessions};v2";
        using var store = o.Reuse
            ? await bench.KeptStoreAsync($"queries-{o.Sessions}", cancellationToken)
            : await bench.NewStoreAsync("queries", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        using var probe = store.OpenProbe();
        if (!store.HasSeed(seed))
        {
            await SeedAsync(bench, o, rooms, server, probe, cancellationToken);
            store.MarkSeeded(seed);
        }
        else
        {
            output.WriteLine($"Reusing the store filled by an earlier run ({seed}) in {store.DataDirectory}.");
        }

        using var api = BenchHttp.Client(server.BaseAddress);
        var sessions = probe.SampleSessions(o.Samples);
        var participants = probe.SampleParticipants(o.Samples);
        var roomList = await api.GetFromJsonAsync<JsonElement>("/api/v1/rooms?limit=100", cancellationToken);
        var roomIds = roomList.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        var totalSessions = (await api.GetFromJsonAsync<JsonElement>("/api/v1/sessions?limit=1", cancellationToken)).GetProperty("total_count").GetInt32();
        output.WriteLine($"Store: {totalSessions:N0} sessions in {rooms:N0}+ rooms; timing {o.Samples} requests per query, one at a time.");

        // The statistics read the usage roll-ups: timing starts once the worker has stored them up to this hour.
        var usageWait = await Waiting.UntilAsync(() => probe.UsageBacklog(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) == 0, TimeSpan.FromMinutes(40), cancellationToken);
        output.WriteLine($"Usage roll-ups: {probe.UsageBacklog(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())} teams or rooms behind after waiting {usageWait.TotalSeconds:0} s.");

        // So does the diagnosis: a store filled at full speed leaves rooms to diagnose, and that work shares the cores.
        var diagnosisWait = await Waiting.UntilAsync(() => probe.DiagnosisBacklog() == 0, TimeSpan.FromMinutes(20), cancellationToken);
        output.WriteLine($"Diagnosis: {probe.DiagnosisBacklog():N0} rooms behind after waiting {diagnosisWait.TotalSeconds:0} s.");
        var now = DateTimeOffset.UtcNow;
        var today = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var listBytes = (await api.GetByteArrayAsync("/api/v1/sessions", cancellationToken)).Length;
        Percentiles floor;
        await using (var bare = await ChildServer.StartBareAsync(cancellationToken))
        {
            using var bareClient = BenchHttp.Client(bare.BaseAddress);
            floor = await TimeAsync(bareClient, o.Samples, o.Warmup, o.Budget, _ => $"{BareServer.ListPath}?bytes={listBytes}", cancellationToken);
        }

        var queries = new (string Name, Func<int, string> Url, int Samples)[]
        {
            ("sessions, first page", _ => "/api/v1/sessions", o.Samples),
            ("sessions, live=true", _ => "/api/v1/sessions?live=true", o.Samples),
            ("sessions, live=false", _ => "/api/v1/sessions?live=false", o.Samples),
            ("sessions, q=part of room names (10 % of rooms)", i => $"/api/v1/sessions?q={Words[i % Words.Length]}", o.Samples),
            ("sessions, q=one room's name", i => $"/api/v1/sessions?q={RoomName(i * 7919 % rooms)}", o.Samples),
            ("sessions, q=session id", i => $"/api/v1/sessions?q={sessions[i % sessions.Count]}", o.Samples),
            ("sessions, q=start of a session id (8 characters)", i => $"/api/v1/sessions?q={sessions[i % sessions.Count][..8]}", o.Samples),
            ("sessions, deep page (after=random id)", i => $"/api/v1/sessions?after={sessions[i % sessions.Count]}", o.Samples),
            ("sessions, page at offset=1000", i => $"/api/v1/sessions?offset={1000 + i}", o.Samples),
            ("sessions, page at offset=10000", i => $"/api/v1/sessions?offset={10_000 - i}", o.Samples),
            ("sessions, q=part of room names, offset=10000", i => $"/api/v1/sessions?q={Words[i % Words.Length]}&offset={10_000 - i}", o.Samples),
            ("sessions, q=part of room names (5 % of rooms), offset=1000", i => $"/api/v1/sessions?q={Words[i % Words.Length]}-00&offset={1000 + i}", o.Samples),
            ("sessions, q=part of room names (5 % of rooms), offset=10000", i => $"/api/v1/sessions?q={Words[i % Words.Length]}-00&offset={10_000 - i}", o.Samples),
            ("sessions, deep page (offset=500000)", _ => "/api/v1/sessions?offset=500000", Math.Min(o.Samples, 20)),
            ("room's sessions", i => $"/api/v1/rooms/{roomIds[i % roomIds.Count]}/sessions", o.Samples),
            ("session detail", i => $"/api/v1/sessions/{sessions[i % sessions.Count]}", o.Samples),
            ("participants, first page", _ => "/api/v1/participants", o.Samples),
            ("participants, live=true", _ => "/api/v1/participants?live=true", o.Samples),
            ("participants, live=false", _ => "/api/v1/participants?live=false", o.Samples),
            ("session's participants", i => $"/api/v1/sessions/{sessions[i % sessions.Count]}/participants", o.Samples),
            ("participant detail", i => $"/api/v1/participants/{participants[i % participants.Count]}", o.Samples),
            ("participant events log", i => $"/api/v1/participants/{participants[i % participants.Count]}/events", o.Samples),
            ("statistics/current", _ => "/api/v1/statistics/current", o.Samples),
            ("statistics/team/current", _ => "/api/v1/statistics/team/current", o.Samples),
            ("statistics, this month and the last", _ => $"/api/v1/statistics?date_start={Day(month.AddMonths(-1))}&date_end={Day(today)}", o.Samples),
            ("statistics, a ragged range (RFC 3339)", i => $"/api/v1/statistics?date_start={Instant(now.AddDays(-20 - (i % 7)).AddMinutes(i * 37))}&date_end={Instant(now.AddMinutes(-i * 11))}", o.Samples),
            ("room statistics, this month", i => $"/api/v1/rooms/{roomIds[i % roomIds.Count]}/statistics/current", o.Samples),
            ("statistics timeline, this month by day", _ => $"/api/v1/statistics/timeline?date_start={Day(month)}&date_end={Day(today)}&interval=day", o.Samples),
            ("statistics timeline, this month by hour", _ => $"/api/v1/statistics/timeline?date_start={Day(month)}&date_end={Day(today)}&interval=hour", o.Samples),
        };

        var table = new Table($"Queries — {bench.Target.Name}, {totalSessions:N0} sessions stored",
            "query", "requests", "p50", "p95", "max", "p95 ÷ bare GET p95", "p95 < 20 ms");
        table.Add($"bare Kestrel GET of a {listBytes / 1024.0:0} KB JSON body (floor)", floor.Count, Table.Ms(floor.P50), Table.Ms(floor.P95), Table.Ms(floor.Max), "1×", null);
        foreach (var (name, url, samples) in queries.Where(q => o.Only is null || q.Name.Contains(o.Only, StringComparison.OrdinalIgnoreCase)))
        {
            output.WriteLine($"  {name}...");
            var latency = await TimeAsync(api, samples, o.Warmup, o.Budget, url, cancellationToken);
            table.Add(name, latency.Count, Table.Ms(latency.P50), Table.Ms(latency.P95), Table.Ms(latency.Max), Table.Ratio(latency.P95 / floor.P95),
                latency.P95 < 20 ? "yes" : "no");
        }

        table.Print(output);
        if (o.Only is null)
        {
            await ExportAsync(bench, server, api, totalSessions, cancellationToken);
        }

        return 0;
    }

    /// <summary>
    /// Streams the whole session and participant lists as CSV, reading the server's resident memory every 50 ms: an
    /// export in constant memory keeps its peak near where it started, however many rows go out.
    /// </summary>
    private static async Task ExportAsync(BenchContext bench, ChildServer server, HttpClient api, int totalSessions, CancellationToken cancellationToken)
    {
        var table = new Table($"CSV export — {bench.Target.Name}, {totalSessions:N0} sessions stored",
            "export", "rows", "size", "time", "rows/s", "RSS before", "RSS peak during", "peak − before", "growth ÷ size");
        foreach (var (name, path) in ((string, string)[])[("sessions", "/api/v1/sessions?format=csv"), ("participants", "/api/v1/participants?format=csv")])
        {
            bench.Output.WriteLine($"  streaming {path}...");
            var before = server.Stats().RssBytes;
            var peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, server.Stats().RssBytes);
                    await Task.Delay(50, CancellationToken.None);
                }
            }, CancellationToken.None);
            var clock = Stopwatch.StartNew();
            long bytes = 0, lines = 0;
            using (var response = await api.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    bytes += read;
                    lines += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;
            peak = Math.Max(peak, server.Stats().RssBytes);
            var rows = lines - 1;
            table.Add(name, rows.ToString("N0", CultureInfo.InvariantCulture), Table.Mb(bytes), $"{seconds:0.0} s", Table.Rate(rows / seconds),
                Table.Mb(before), Table.Mb(peak), Table.Mb(peak - before), Table.Percent(100.0 * (peak - before) / bytes));
        }

        table.Print(bench.Output);
    }

    private static string Day(DateTimeOffset t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private static string RoomName(int room) => string.Create(CultureInfo.InvariantCulture, $"{Words[room % Words.Length]}-{room:D6}");

    private static async Task SeedAsync(BenchContext bench, QueryOptions o, int rooms, ChildServer server, IStoreProbe probe, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        var now = DateTimeOffset.UtcNow;
        // A room's 50 sessions take about 2.75 days. The history is placed across the start of the current month on
        // purpose (or ends an hour or two before now early in a month), so that the current period always holds part of it.
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var historyStart = Math.Min(now.AddHours(-92).ToUnixTimeMilliseconds(), monthStart.AddHours(-36).ToUnixTimeMilliseconds());
        output.WriteLine($"Filling the store through the API: {o.Sessions:N0} ended sessions in {rooms:N0} rooms ({o.SessionsPerRoom} each), {o.Clients} clients...");
        var history = Enumerable.Range(0, o.Clients).Select(client =>
        {
            var script = new ScriptedSessions($"{bench.Tag}-h{client}-", client);
            return Seeder.Share(client, o.Clients, rooms).SelectMany(r =>
                script.History(RoomName(r), historyStart + (r * 86_400_000L / rooms), o.SessionsPerRoom));
        }).ToList();
        var filled = await Seeder.PostAsync(server.BaseAddress, history, cancellationToken);
        output.WriteLine($"  {filled.Events:N0} events in {filled.Seconds:0} s ({Table.Rate(filled.EventsPerSecond)} events/s in batches of 1,000).");

        var endingSoon = o.LiveSessions / 2;
        output.WriteLine($"Adding {o.LiveSessions:N0} live and {endingSoon:N0} ending-soon sessions...");
        var nowMs = now.ToUnixTimeMilliseconds();
        var live = Enumerable.Range(0, o.Clients).Select(client =>
        {
            var script = new ScriptedSessions($"{bench.Tag}-l{client}-", 100 + client);
            return Seeder.Share(client, o.Clients, o.LiveSessions + endingSoon).SelectMany(r =>
                r < o.LiveSessions ? script.Live(RoomName(r), nowMs) : script.Waiting(RoomName(r), nowMs - 60_000));
        }).ToList();
        await Seeder.PostAsync(server.BaseAddress, live, cancellationToken);

        // The last session of every room is due at once: wait until the sweeper has written them all.
        var waited = Stopwatch.StartNew();
        while (probe.Overdue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Count > 0 && waited.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(500, cancellationToken);
        }

        output.WriteLine($"  the sweeper ended the rooms' last sessions {waited.Elapsed.TotalSeconds:0} s after the fill.");
    }

    /// <summary>
    /// Times up to <paramref name="samples"/> requests, one at a time, after up to <paramref name="warmup"/> untimed ones
    /// (at least 3; more only while they take under a third of the budget). The runtime compiles each method quickly
    /// first and again, optimized, once it has run a few dozen times, and Dapper builds its reader for each statement on
    /// first use: without a warm-up the first hundred requests of a query measure that compilation, not the store. A
    /// slow query stops early when its time budget is spent (but not before 10 requests), so that one slow query cannot
    /// take an hour.
    /// </summary>
    private static async Task<Percentiles> TimeAsync(HttpClient client, int samples, int warmup, TimeSpan budget, Func<int, string> url, CancellationToken cancellationToken)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < warmup && (i < 3 || warming.Elapsed < budget / 3); i++)
        {
            await SendAsync(client, url(samples + i), cancellationToken);
        }

        var timings = new List<double>(samples);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples && (i < 10 || clock.Elapsed < budget); i++)
        {
            var started = Stopwatch.GetTimestamp();
            await SendAsync(client, url(i), cancellationToken);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Percentiles.Of(timings);
    }

    private static async Task SendAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }
    }
}
