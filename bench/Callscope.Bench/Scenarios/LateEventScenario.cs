using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record LateEventOptions(int SmallEvents, int LargeEvents, int EventsPerSession, int Pairs, int Warmup);

/// <summary>
/// What a late event costs as a room's past grows. Two rooms get a history of past sessions through the ingest API
/// (a small and a large one, same session shape); then a join and a leave of someone new, timed inside the oldest
/// session of each room without moving its start or end, are posted again and again, one pair per request, the two
/// rooms taking turns. The same pair posted in order (at the room's present) on the same room is the baseline, and a
/// bare Kestrel endpoint reading the same body is the floor of the request itself.
/// </summary>
public static class LateEventScenario
{
    private const long Minute = 60_000;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<int> RunAsync(BenchContext bench, LateEventOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        var rooms = new[] { o.SmallEvents, o.LargeEvents }.Select((events, i) =>
            new History(string.Create(CultureInfo.InvariantCulture, $"history-{events}"), Math.Max(1, events / o.EventsPerSession), o.EventsPerSession,
                new ScriptedSessions($"{bench.Tag}-r{i}-", i))).ToList();
        var pairs = o.Warmup + o.Pairs;

        // Every pair's body has the same shape, so the floor is timed with one of them.
        var floorBody = BatchBody.From([.. rooms[0].Script.Visit(rooms[0].Room, "floor", 0, 1)]);
        Percentiles floor;
        await using (var bare = await ChildServer.StartBareAsync(cancellationToken))
        {
            using var client = BenchHttp.Client(bare.BaseAddress);
            var times = new List<double>();
            for (var k = 0; k < pairs; k++)
            {
                var ms = await PostAsync(client, BareServer.ReadPath, floorBody, cancellationToken);
                if (k >= o.Warmup)
                {
                    times.Add(ms);
                }
            }

            floor = Percentiles.Of(times);
        }

        using var store = await bench.NewStoreAsync("late", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        using var api = BenchHttp.Client(server.BaseAddress);
        var grace = (await api.GetFromJsonAsync<JsonElement>("/api/v1/team", cancellationToken)).GetProperty("grace_period").GetInt32();

        // Sessions 5 minutes longer apart than the grace period, all of them long past.
        var gap = (grace + 300) * 1000L;
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var start = nowMs - (rooms.Max(r => r.Sessions) * (ScriptedSessions.RegularLength + gap)) - (24 * 60 * Minute);
        output.WriteLine($"Filling through the API: {string.Join(" and ", rooms.Select(r => $"{r.Events:N0} events ({r.Sessions:N0} sessions) in room {r.Room}"))}, one client per room, batches of 1,000...");
        var filled = await Seeder.PostAsync(server.BaseAddress,
            [.. rooms.Select(r => r.Script.Regular(r.Room, start, r.Sessions, r.EventsPerSession, gap))], cancellationToken);
        output.WriteLine($"  {filled.Events:N0} events in {filled.Seconds:0.0} s ({Table.Rate(filled.EventsPerSecond)} events/s).");

        // Each room's last session is due at once: measure only once the sweeper has written their ends.
        using (var probe = store.OpenProbe())
        {
            var waited = Stopwatch.StartNew();
            while (probe.Overdue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Count > 0 && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200, cancellationToken);
            }
        }

        foreach (var room in rooms)
        {
            room.Before = await OldestAsync(api, room, cancellationToken);
        }

        // Late: inside the oldest session, which runs from `start` to `start + RegularLength`; each pair in a slot of its
        // own between its first and its thirteenth minute, the rooms taking turns.
        output.WriteLine($"Late pairs: {o.Warmup} warm-up and {o.Pairs} timed per room, inside the oldest session...");
        var slot = 12 * Minute / pairs;
        for (var k = 0; k < pairs; k++)
        {
            foreach (var room in rooms)
            {
                var join = start + Minute + (k * slot);
                var body = BatchBody.From([.. room.Script.Visit(room.Room, $"{bench.Tag}-late-{k}", join, join + (slot / 2))]);
                var ms = await PostAsync(api, IngestScenario.IngestPath, body, cancellationToken);
                if (k >= o.Warmup)
                {
                    room.Late.Add(ms);
                }
            }
        }

        var checks = new List<string>();
        foreach (var room in rooms)
        {
            var after = await OldestAsync(api, room, cancellationToken);
            var expected = room.Before! with { ParticipantsTotal = room.Before!.ParticipantsTotal + pairs };
            checks.Add(after == expected
                ? $"{room.Room}: {after.Total:N0} sessions, the oldest kept its id and times and has {after.ParticipantsTotal} participants"
                : $"{room.Room}: FAILED, expected {expected}, found {after}");
        }

        // In order: the same pair at the room's present. The first pair opens a session that then waits for its grace
        // period, and the next ones join it, so every timed pair takes the writer's in-order path.
        output.WriteLine($"In-order pairs: {o.Warmup} warm-up and {o.Pairs} timed per room, at the rooms' present...");
        var last = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        for (var k = 0; k < pairs; k++)
        {
            foreach (var room in rooms)
            {
                var join = Math.Max(last + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000);
                last = join + 1;
                var body = BatchBody.From([.. room.Script.Visit(room.Room, $"{bench.Tag}-now-{k}", join, last)]);
                var ms = await PostAsync(api, IngestScenario.IngestPath, body, cancellationToken);
                if (k >= o.Warmup)
                {
                    room.InOrder.Add(ms);
                }
            }
        }

        var (small, large) = (rooms[0], rooms[1]);
        var table = new Table($"Late events — {bench.Target.Name}, a join and a leave per request, {o.Pairs} timed pairs each",
            "what", "room history", "p50", "p95", "max", "p50 ÷ in-order p50");
        foreach (var room in rooms)
        {
            var late = Percentiles.Of(room.Late);
            table.Add("late pair inside the oldest session", room.Describe(), Table.Ms(late.P50), Table.Ms(late.P95), Table.Ms(late.Max),
                Table.Ratio(late.P50 / Percentiles.Of(room.InOrder).P50));
        }

        foreach (var room in rooms)
        {
            var inOrder = Percentiles.Of(room.InOrder);
            table.Add("in-order pair at the room's present (baseline)", room.Describe(), Table.Ms(inOrder.P50), Table.Ms(inOrder.P95), Table.Ms(inOrder.Max), "1×");
        }

        table.Add("bare Kestrel reads the same body (floor)", "–", Table.Ms(floor.P50), Table.Ms(floor.P95), Table.Ms(floor.Max), null);
        table.Print(output);
        var (smallLate, largeLate) = (Percentiles.Of(small.Late), Percentiles.Of(large.Late));
        output.WriteLine($"Large ÷ small, late pair: p50 {Table.Ratio(largeLate.P50 / smallLate.P50)}, p95 {Table.Ratio(largeLate.P95 / smallLate.P95)} " +
            $"(in-order pair: p50 {Table.Ratio(Percentiles.Of(large.InOrder).P50 / Percentiles.Of(small.InOrder).P50)}).");
        output.WriteLine($"Check: {string.Join("; ", checks)}.");
        return checks.TrueForAll(c => !c.Contains("FAILED", StringComparison.Ordinal)) ? 0 : 1;
    }

    /// <summary>Posts one body and times it to its answer, which must be a success.</summary>
    private static async Task<double> PostAsync(HttpClient client, string path, BatchBody body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body.Json);
        content.Headers.ContentType = Json;
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(path, content, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {answer}");
        }

        return ms;
    }

    /// <summary>The room's session count and its oldest session, as the API lists them.</summary>
    private static async Task<Oldest> OldestAsync(HttpClient api, History room, CancellationToken cancellationToken)
    {
        var page = await api.GetFromJsonAsync<JsonElement>($"/api/v1/rooms/{room.Room}/sessions?order=asc&limit=1", cancellationToken);
        var oldest = page.GetProperty("data")[0];
        return new Oldest(page.GetProperty("total_count").GetInt32(), oldest.GetProperty("id").GetString()!, oldest.GetProperty("start_time").GetString()!,
            oldest.GetProperty("end_time").GetString(), oldest.GetProperty("participants_total").GetInt32());
    }

    private sealed record Oldest(int Total, string Id, string Start, string? End, int ParticipantsTotal);

    /// <summary>One room of the run: its name, the size of its past, and the ack times measured on it.</summary>
    private sealed class History(string room, int sessions, int eventsPerSession, ScriptedSessions script)
    {
        public string Room => room;

        public int Sessions => sessions;

        public int EventsPerSession => eventsPerSession;

        public long Events => (long)sessions * eventsPerSession;

        public ScriptedSessions Script => script;

        public Oldest? Before { get; set; }

        public List<double> Late { get; } = [];

        public List<double> InOrder { get; } = [];

        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Events:N0} events, {Sessions:N0} sessions");
    }
}
