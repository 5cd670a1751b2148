using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Core;
using Callscope.Data.Writing;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Server.Tests.MultiNode;

/// <summary>
/// Two Callscope nodes (separate hosts with their own writers, caches and sweepers) on one PostgreSQL database
/// must hold exactly what one SQLite node holds for the same events.
/// </summary>
public sealed class SeveralNodesTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private static readonly DateTimeOffset Now = T.AddHours(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> Seeds() => [11, 22, 33];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Two_nodes_on_one_postgres_database_compute_what_one_sqlite_node_computes(int seed)
    {
        var random = new Random(seed);
        var events = Generate(random);
        var database = TestDatabase.NewPostgresDatabase();
        await using var nodeA = new CallscopeApp(postgres: database, provider: "postgres");
        await using var nodeB = new CallscopeApp(postgres: database, provider: "postgres");
        await using var single = new CallscopeApp(provider: "sqlite");
        foreach (var app in (CallscopeApp[])[nodeA, nodeB, single])
        {
            app.Clock.SetUtcNow(Now);
        }

        var a = nodeA.Api();
        var b = nodeB.Api();

        await KeepingLogsAsync([nodeA, nodeB], async () =>
        {
            // Every event goes to a random node in a random batch; a fifth of them also to the other node (retries).
            var batches = events.Concat(events.Where(_ => random.NextDouble() < 0.2)).OrderBy(_ => random.Next())
                .Chunk(1 + random.Next(8)).Select(chunk => (Node: random.Next(2), Events: chunk)).ToList();
            await Task.WhenAll(
                Task.Run(async () => { foreach (var batch in batches.Where(x => x.Node == 0)) { await Events.PostAsync(a, batch.Events); } }, Ct),
                Task.Run(async () => { foreach (var batch in batches.Where(x => x.Node == 1)) { await Events.PostAsync(b, batch.Events); } }, Ct));
            await Events.PostAsync(single.Api(), [.. events]);
            await Task.WhenAll(nodeA.SettleAsync(), nodeB.SettleAsync(), single.SettleAsync());

            var expected = await DescribeAsync(single.Api());
            Assert.Equal(expected, await DescribeAsync(a));
            Assert.Equal(expected, await DescribeAsync(b));
        });
    }

    /// <summary>
    /// Both nodes store the same batches of the same rooms at once, several requests at a time (so each writer groups
    /// them into one transaction), the second node with every batch in the opposite order: the two writers take rows
    /// of the same rooms, event ids and diagnosis queue in opposite orders all the time. Every batch is answered 202,
    /// and each event is accepted exactly once across the two nodes.
    /// </summary>
    [Fact]
    public async Task Two_nodes_storing_the_same_rooms_at_once_in_opposite_orders_answer_every_batch()
    {
        var database = TestDatabase.NewPostgresDatabase();
        await using var nodeA = new CallscopeApp(postgres: database, provider: "postgres");
        await using var nodeB = new CallscopeApp(postgres: database, provider: "postgres");
        nodeA.Clock.SetUtcNow(Now);
        nodeB.Clock.SetUtcNow(Now);
        const int Rounds = 60;
        const int RequestsAtOnce = 3;
        var rooms = Enumerable.Range(0, 6).Select(i => $"contended-{i}").ToList();
        var batches = Enumerable.Range(0, Rounds).Select(r => rooms.SelectMany((room, k) => new[]
        {
            Events.Joined(room, $"p{r % 4}", T.AddSeconds(r * 20), $"{room}-{r}", id: $"race-{r}-{k}-join"),
            Events.Of("quality_sample", room, $"p{r % 4}", T.AddSeconds((r * 20) + 5), new { rtt_ms = 30 + r }, $"{room}-{r}", id: $"race-{r}-{k}-sample"),
        }).ToArray()).ToList();
        var answers = new ConcurrentBag<(int Status, string Body)>();

        await KeepingLogsAsync([nodeA, nodeB], async () =>
        {
            var clients = Enumerable.Range(0, RequestsAtOnce).SelectMany(_ => new[] { (Api: nodeA.Api(), Reversed: false), (Api: nodeB.Api(), Reversed: true) });
            await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
            {
                for (var r = c / 2; r < Rounds; r += RequestsAtOnce)
                {
                    var batch = client.Reversed ? batches[r].Reverse().ToArray() : batches[r];
                    using var response = await client.Api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(batch), Ct);
                    answers.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
                }
            }, Ct)));

            var failed = answers.Where(a => a.Status != 202).ToList();
            Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} batches were not stored, first: {failed.FirstOrDefault()}");
            var accepted = answers.Sum(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("accepted").GetInt32());
            Assert.Equal(batches.Sum(b => b.Length), accepted);
        });
    }

    [Fact]
    public async Task Expired_sessions_are_ended_exactly_once_by_sweepers_on_both_nodes()
    {
        var database = TestDatabase.NewPostgresDatabase();
        await using var nodeA = new CallscopeApp(postgres: database, provider: "postgres");
        await using var nodeB = new CallscopeApp(postgres: database, provider: "postgres");
        nodeA.Clock.SetUtcNow(T.AddMinutes(1));
        nodeB.Clock.SetUtcNow(T.AddMinutes(1));
        var rooms = Enumerable.Range(0, 40).Select(i => $"room-{i}").ToList();
        await Events.PostAsync(nodeA.Api(), [.. rooms.SelectMany(r => new[] { Events.Joined(r, "ana", T), Events.Left(r, "ana", T.AddSeconds(30)) })]);
        var endings = new ConcurrentBag<TeamId>();
        nodeA.Services.GetRequiredService<IngestPipeline>().Committed += teams => endings.Add(teams.First());

        nodeA.Clock.Advance(TimeSpan.FromMinutes(10));
        nodeB.Clock.Advance(TimeSpan.FromMinutes(10));
        await Task.WhenAll(nodeA.SettleAsync(), nodeB.SettleAsync());

        var sessions = await ApiAssert.GetAsync(nodeB.Api(), "/api/v1/sessions?limit=100");
        Assert.Equal(40, sessions.GetProperty("total_count").GetInt32());
        foreach (var session in sessions.GetProperty("data").EnumerateArray())
        {
            Assert.Equal("grace_expired", session.GetProperty("end_reason").GetString());
            Assert.Equal("2026-11-25T10:07:30.000Z", session.GetProperty("end_time").GetString());
        }

        Assert.Equal(0, (await ApiAssert.GetAsync(nodeA.Api(), "/api/v1/sessions?live=true")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_dashboard_stream_on_one_node_hears_of_an_event_ingested_on_the_other_within_two_seconds()
    {
        var database = TestDatabase.NewPostgresDatabase();
        await using var nodeA = new CallscopeApp(postgres: database, provider: "postgres");
        await using var nodeB = new CallscopeApp(postgres: database, provider: "postgres");
        using var stream = await nodeA.Api().GetAsync("/dashboard/updates", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(Ct));

        await Events.PostAsync(nodeB.Api(), Events.Joined("standup", "ana", T));

        Assert.Equal("event: changed", await NextEventLineAsync(reader).AsTask().WaitAsync(TimeSpan.FromSeconds(2), Ct));
    }

    [Fact]
    public async Task Issues_found_from_events_ingested_on_one_node_are_read_on_the_other_within_two_seconds()
    {
        var database = TestDatabase.NewPostgresDatabase();
        await using var nodeA = new CallscopeApp(postgres: database, provider: "postgres");
        await using var nodeB = new CallscopeApp(postgres: database, provider: "postgres");
        var call = Diagnosis.IssueApiTests.LossyCall("standup", lossFrom: 0, lossUntil: 10, samples: 10);
        var a = nodeA.Api();
        await Events.PostAsync(a, call[0], call[1]);
        var session = (await ApiAssert.GetAsync(a, "/api/v1/sessions")).GetProperty("data")[0].GetProperty("id").GetString();

        // The samples and leaves arrive on B, half of them before and half after A's first look at the room.
        await Events.PostAsync(nodeB.Api(), [.. call.Skip(2).Take(10)]);
        await Events.PostAsync(nodeB.Api(), [.. call.Skip(12)]);
        var stored = System.Diagnostics.Stopwatch.StartNew();
        var issues = await Diagnosis.IssueApiTests.IssuesAsync(a, $"/api/v1/sessions/{session}/issues", d => d.GetArrayLength() == 1);

        Assert.True(stored.Elapsed < TimeSpan.FromSeconds(2), $"node A read the issue {stored.Elapsed} after node B stored the events");
        Assert.Equal("high_packet_loss", issues[0].GetProperty("kind").GetString());
        Assert.False(issues[0].GetProperty("ongoing").GetBoolean());
        Assert.Equal(1, (await ApiAssert.GetAsync(a, "/api/v1/sessions?has_issues=true")).GetProperty("total_count").GetInt32());
        Assert.Equal(
            (await ApiAssert.GetAsync(a, $"/api/v1/sessions/{session}/issues")).ToString(),
            (await ApiAssert.GetAsync(nodeB.Api(), $"/api/v1/sessions/{session}/issues")).ToString());
    }

    /// <summary>
    /// Runs a test's body with the nodes' logs captured; when it fails, their warnings and errors (with exceptions) are
    /// added to the failure, so that a failure in a shared run says what the servers saw.
    /// </summary>
    internal static async Task KeepingLogsAsync(IReadOnlyList<CallscopeApp> nodes, Func<Task> body)
    {
        var logs = nodes.Select(node =>
        {
            var captured = new CapturedLogs();
            node.Services.GetRequiredService<ILoggerFactory>().AddProvider(captured);
            return captured;
        }).ToList();
        try
        {
            await body();
        }
        catch (Exception error)
        {
            var text = new StringBuilder(error.Message);
            for (var n = 0; n < logs.Count; n++)
            {
                foreach (var (level, message, exception) in logs[n].Entries.Where(e => e.Level >= LogLevel.Warning))
                {
                    text.Append($"\nnode {(char)('A' + n)} {level}: {message}");
                    if (exception is not null)
                    {
                        text.Append($"\n{exception}");
                    }
                }
            }

            throw new Xunit.Sdk.XunitException(text.ToString(), error);
        }
    }

    private static async ValueTask<string> NextEventLineAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("event: changed", StringComparison.Ordinal))
            {
                return line;
            }
        }

        return "the stream ended";
    }

    private static List<object> Generate(Random random)
    {
        var events = new List<object>();
        for (var room = 0; room < 6; room++)
        {
            var name = $"room-{room}";
            var t = T;
            for (var burst = 0; burst < 3; burst++)
            {
                for (var p = 0; p < 1 + random.Next(3); p++)
                {
                    var join = t.AddSeconds(random.Next(0, 90));
                    var connection = $"{name}-{burst}-{p}";
                    events.Add(Events.Joined(name, $"p{p}", join, connection));
                    events.Add(Events.Of("quality_sample", name, $"p{p}", join.AddSeconds(3), new { rtt_ms = 30 }, connection));
                    if (random.NextDouble() < 0.9)
                    {
                        events.Add(Events.Left(name, $"p{p}", join.AddSeconds(30 + random.Next(500)), connection));
                    }
                }

                // Gaps just below, at and just above the grace period.
                t = t.AddSeconds(600 + (420 * random.Next(0, 2)) + random.Next(-1, 2));
            }
        }

        return events;
    }

    private static async Task<string> DescribeAsync(HttpClient api)
    {
        var text = new StringBuilder();
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions?order=asc&limit=100");
        foreach (var s in sessions.GetProperty("data").EnumerateArray().OrderBy(s => s.GetProperty("room_friendly_url").GetString()).ThenBy(s => s.GetProperty("start_time").GetString()))
        {
            text.Append($"{s.GetProperty("room_friendly_url")} {s.GetProperty("start_time")}-{s.GetProperty("end_time")} {s.GetProperty("status")} {s.GetProperty("end_reason")} ");
            text.Append($"left={s.GetProperty("last_participant_left_at")} total={s.GetProperty("participants_total")} max={s.GetProperty("max_concurrent_participants")}\n");
            var participants = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{s.GetProperty("id").GetString()}/participants?order=asc");
            foreach (var p in participants.GetProperty("data").EnumerateArray().OrderBy(p => p.GetProperty("external_id").GetString()))
            {
                text.Append($"  {p.GetProperty("external_id")}:");
                foreach (var c in p.GetProperty("connections").EnumerateArray())
                {
                    text.Append($" [{c.GetProperty("connection_id")} {c.GetProperty("join_time")}-{c.GetProperty("leave_time")} {c.GetProperty("leave_reason")}]");
                }

                var log = await ApiAssert.GetAsync(api, $"/api/v1/participants/{p.GetProperty("id").GetString()}/events");
                text.Append($" events={log.GetProperty("total_count").GetInt32()}\n");
            }
        }

        return text.ToString();
    }
}
