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
        var rooms = new[] { ("small", o.SmallEvents), ("large", o.LargeEvents) }.Select((r, i) =>
            new History(string.Create(CultureInfo.InvariantCulture, $"{r.Item1}-{r.Item2}"), Math.Max(1, r.Item2 / o.EventsPerSession), o.EventsPerSession,
                new ScriptedSessions($"{bench.Tag}-r{i}-", i))).ToList();
        var pairs = o.Warmup + o.Pairs;

        // Every pair's body has the same shape, so the floor is timed with one of them.
        var floorBody = BatchBody.From([.. rooms[0].Script.Visit(rooms[0].Room, "floor", 0, 1)]);
        Percentiles floor;
        await using (var bare = await ChildServer.StartBareAsync(cancellationToken))
        {
            using var client = BenchHttp.Client(bare.BaseAddress);
            floor = (await TimeAsync(client, BareServer.ReadPath, 1, o, (_, _) => floorBody, cancellationToken))[0];
        }

        using var store = await bench.NewStoreAsync("late", cancellationToken);
        await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken);
        using var api = BenchHttp.Client(server.BaseAddress);
        var grace = (await api.GetFromJsonAsync<JsonElement>("/api/v1/team", cancellationToken)).GetProperty("grace_period").GetInt32();

        // Sessions 5 minutes longer apart than the grace period, the newest a day old.
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

        var before = new List<Oldest>();
        foreach (var room in rooms)
        {
            before.Add(await OldestAsync(api, room, cancellationToken));
        }

        // Late: inside the oldest session, which runs from `start` to `start + RegularLength`; each pair in a slot of its
        // own between the session's first and thirteenth minute.
        output.WriteLine($"Late pairs: {o.Warmup} warm-up and {o.Pairs} timed per room, inside the oldest session...");
        var slot = 12 * Minute / pairs;
        var late = await TimeAsync(api, IngestScenario.IngestPath, rooms.Count, o, (r, k) =>
        {
            var join = start + Minute + (k * slot);
            return BatchBody.From([.. rooms[r].Script.Visit(rooms[r].Room, $"{bench.Tag}-late-{k}", join, join + (slot / 2))]);
        }, cancellationToken);

        var checks = new List<(bool Passed, string Text)>();
        for (var r = 0; r < rooms.Count; r++)
        {
            var after = await OldestAsync(api, rooms[r], cancellationToken);
            var expected = before[r] with { ParticipantsTotal = before[r].ParticipantsTotal + pairs };
            checks.Add(after == expected
                ? (true, $"{rooms[r].Room}: {after.Total:N0} sessions, the oldest kept its id and times and has {after.ParticipantsTotal} participants")
                : (false, $"{rooms[r].Room}: FAILED, expected {expected}, found {after}"));
        }

        // In order: the same pair at the room's present. The first pair opens a session that then waits for its grace
        // period, and the next ones join it, so every timed pair takes the writer's in-order path.
        output.WriteLine($"In-order pairs: {o.Warmup} warm-up and {o.Pairs} timed per room, at the rooms' present...");
        var last = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        var inOrder = await TimeAsync(api, IngestScenario.IngestPath, rooms.Count, o, (r, k) =>
        {
            var join = Math.Max(last + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000);
            last = join + 1;
            return BatchBody.From([.. rooms[r].Script.Visit(rooms[r].Room, $"{bench.Tag}-now-{k}", join, last)]);
        }, cancellationToken);

        var table = new Table($"Late events — {bench.Target.Name}, a join and a leave per request, {o.Pairs} timed pairs each",
            "what", "room history", "p50", "p95", "max", "p50 ÷ in-order p50");
        for (var r = 0; r < rooms.Count; r++)
        {
            table.Add("late pair inside the oldest session", rooms[r].Describe(), Table.Ms(late[r].P50), Table.Ms(late[r].P95), Table.Ms(late[r].Max),
                Table.Ratio(late[r].P50 / inOrder[r].P50));
        }

        for (var r = 0; r < rooms.Count; r++)
        {
            table.Add("in-order pair at the room's present (baseline)", rooms[r].Describe(), Table.Ms(inOrder[r].P50), Table.Ms(inOrder[r].P95),
                Table.Ms(inOrder[r].Max), "1×");
        }

        table.Add("bare Kestrel reads the same body (floor)", "–", Table.Ms(floor.P50), Table.Ms(floor.P95), Table.Ms(floor.Max), null);
        table.Print(output);
        output.WriteLine($"Large ÷ small, late pair: p50 {Table.Ratio(late[1].P50 / late[0].P50)}, p95 {Table.Ratio(late[1].P95 / late[0].P95)} " +
            $"(in-order pair: p50 {Table.Ratio(inOrder[1].P50 / inOrder[0].P50)}).");
        output.WriteLine($"Check: {string.Join("; ", checks.Select(c => c.Text))}.");
        return checks.TrueForAll(c => c.Passed) ? 0 : 1;
    }

    /// <summary>
    /// Posts the body <paramref name="body"/> gives for each room and turn, one request at a time and the rooms taking
    /// turns, so that a change in the machine's load falls on every room alike; the first turns warm up and are not
    /// timed. Returns each room's times.
    /// </summary>
    private static async Task<Percentiles[]> TimeAsync(
        HttpClient client, string path, int rooms, LateEventOptions o, Func<int, int, BatchBody> body, CancellationToken cancellationToken)
    {
        var times = Enumerable.Range(0, rooms).Select(_ => new List<double>()).ToArray();
        for (var k = 0; k < o.Warmup + o.Pairs; k++)
        {
            for (var r = 0; r < rooms; r++)
            {
                var ms = await PostAsync(client, path, body(r, k), cancellationToken);
                if (k >= o.Warmup)
                {
                    times[r].Add(ms);
                }
            }
        }

        return [.. times.Select(Percentiles.Of)];
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

    /// <summary>One room of the run: its name, the size of its past, and the script that writes its events.</summary>
    private sealed class History(string room, int sessions, int eventsPerSession, ScriptedSessions script)
    {
        public string Room => room;

        public int Sessions => sessions;

        public int EventsPerSession => eventsPerSession;

        public long Events => (long)sessions * eventsPerSession;

        public ScriptedSessions Script => script;

        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Events:N0} events, {Sessions:N0} sessions");
    }
}
