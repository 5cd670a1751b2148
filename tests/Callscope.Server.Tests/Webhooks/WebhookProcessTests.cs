using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.Resilience;
using Callscope.Tests.Shared;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>
/// The outbox with real server processes: a node killed with SIGKILL while deliveries are in flight and failing loses
/// none of the messages its committed events caused (at least once, with the same <c>webhook-id</c>), and two nodes on
/// one PostgreSQL database send each message once between them.
/// </summary>
public sealed class WebhookProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="lease">Longer than six times <paramref name="timeout"/>, or the server refuses to start (WebhookOptions).</param>
    private static Dictionary<string, string> Settings(string lease, string timeout) => new()
    {
        ["Callscope__Outbound__AllowPrivateNetworks"] = "true",
        ["Callscope__Webhooks__Lease"] = lease,
        ["Callscope__Webhooks__Timeout"] = timeout,
        ["Callscope__Webhooks__RetrySchedule"] = string.Join(',', Enumerable.Repeat("00:00:01", 40)),
        ["Callscope__Webhooks__PollInterval"] = "00:00:00.200",
    };

    [Fact]
    public async Task Every_message_of_a_committed_event_is_delivered_after_kill_9_with_tries_in_flight()
    {
        using var data = new ServerData();
        await using var receiver = await WebhookReceiver.StartAsync();

        // Until the kill, half of the messages hang (tries in flight, each cut after a second and tried again a second
        // later) and the others fail with 503 (retries pending).
        receiver.Respond = r => r.Id![^1] % 2 == 0 ? new ReceiverAnswer(200, Hang: true) : new ReceiverAnswer(503);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var acknowledged = new ConcurrentBag<string>();
        string webhook;
        string secret;
        await using (var server = await ServerProcess.StartAsync(data, Ct, Settings(lease: "00:00:07", timeout: "00:00:01")))
        {
            using var api = server.Api();
            (webhook, secret) = await WebhookKit.CreateAsync(api, receiver.Url());

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var sending = Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var who = $"p{n}";
                    var at = start.AddSeconds(n);
                    var events = n % 2 == 0
                        ? [Events.Joined($"room-{n % 7}", who, at, who), Events.Left($"room-{n % 7}", who, at.AddSeconds(1), who)]
                        : new[] { Events.Joined($"room-{n % 7}", who, at, who) };
                    try
                    {
                        using var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(events), stop.Token);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            acknowledged.Add(who);
                        }
                    }
                    catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            }, CancellationToken.None);

            await receiver.WaitAsync(r => acknowledged.Count >= 30 && receiver.Hanging >= 2 && r.Any(x => x.Seen > 0), "tries in flight and retries under way");
            await server.KillAsync();
            await stop.CancelAsync();
            await sending;
        }

        receiver.Respond = _ => ReceiverAnswer.Ok;
        receiver.ReleaseHanging();
        // The killed node's leases run out within 7 s of its last claims; then the restarted node claims what they held.
        await using var restarted = await ServerProcess.StartAsync(data, Ct, Settings(lease: "00:00:31", timeout: "00:00:05"));
        using var after = restarted.Api();
        var deliveries = await WaitAsync(async () =>
        {
            var all = await WebhookKit.DeliveriesAsync(after, webhook);
            return all.All(d => WebhookKit.State(d) == "delivered") ? all : null;
        }, "every delivery delivered after the restart", async () => string.Join('\n', (await WebhookKit.DeliveriesAsync(after, webhook)).Where(d => WebhookKit.State(d) != "delivered").Select(WebhookKit.Describe)));

        var received = receiver.Received;
        var receivedIds = received.Select(r => r.Id).ToHashSet();
        Assert.All(deliveries, d => Assert.Contains(WebhookKit.Id(d), receivedIds));
        Assert.Subset(deliveries.Select(WebhookKit.Id).ToHashSet(), receivedIds!);
        Assert.All(received, r => Assert.True(WebhookReceiver.SignedWith(r, secret), $"unsigned: {r}"));

        // Every acknowledged join was announced, and every session and participant the API shows.
        var joined = received.Where(r => r.EventType == "participant_joined").Select(r => r.Json.GetProperty("data").GetProperty("external_id").GetString()).ToHashSet();
        Assert.All(acknowledged, who => Assert.Contains(who, joined));
        var started = received.Where(r => r.EventType == "session_started").Select(r => r.Json.GetProperty("sessionId").GetString()).ToHashSet();
        var sessions = await ListAllAsync(after, "/api/v1/sessions");
        Assert.NotEmpty(sessions);
        Assert.All(sessions, s => Assert.Contains(s.GetProperty("id").GetString(), started));
        var participants = await ListAllAsync(after, "/api/v1/participants");
        Assert.Equal(acknowledged.Count, participants.Count(p => acknowledged.Contains(p.GetProperty("external_id").GetString()!)));
        var announced = received.Where(r => r.EventType == "participant_joined").Select(r => r.Json.GetProperty("data").GetProperty("participant_id").GetString()).ToHashSet();
        Assert.All(participants, p => Assert.Contains(p.GetProperty("id").GetString(), announced));
        TestContext.Current.TestOutputHelper?.WriteLine($"{acknowledged.Count} batches acknowledged, {deliveries.Count} deliveries, {received.Count} requests received.");
    }

    [Fact]
    public async Task Two_nodes_on_one_postgres_database_send_each_message_once_between_them()
    {
        var database = TestDatabase.NewPostgresDatabase();
        try
        {
            // The nodes share the data folder's key ring, as docs/configuration.md asks of several nodes.
            using var data = new ServerData();
            await using var receiver = await WebhookReceiver.StartAsync();
            var settings = Settings(lease: "00:02:00", timeout: "00:00:15");
            settings["Callscope__Database__Provider"] = "postgres";
            settings["Callscope__Database__ConnectionString"] = database;
            await using var nodeA = await ServerProcess.StartAsync(data, Ct, settings);
            await using var nodeB = await ServerProcess.StartAsync(data, Ct, settings);
            using var a = nodeA.Api();
            using var b = nodeB.Api();
            var (webhook, secret) = await WebhookKit.CreateAsync(a, receiver.Url(), token: "shared-token");

            var start = DateTimeOffset.UtcNow.AddMinutes(-30);
            await Task.WhenAll(Enumerable.Range(0, 2).Select(node => Task.Run(async () =>
            {
                for (var n = node; n < 80; n += 2)
                {
                    var who = $"p{n}";
                    await Events.PostAsync(node == 0 ? a : b, Events.Joined($"room-{n % 10}", who, start.AddSeconds(n), who), Events.Left($"room-{n % 10}", who, start.AddSeconds(n + 1), who));
                }
            }, Ct)));

            var deliveries = await WaitAsync(async () =>
            {
                var all = await WebhookKit.DeliveriesAsync(b, webhook);
                return all.Count > 0 && all.All(d => WebhookKit.State(d) == "delivered") ? all : null;
            }, "every delivery delivered", async () => string.Join('\n', (await WebhookKit.DeliveriesAsync(b, webhook)).Where(d => WebhookKit.State(d) != "delivered").Select(WebhookKit.Describe)));

            var received = receiver.Received;
            Assert.True(deliveries.Count >= 160, $"only {deliveries.Count} deliveries");
            Assert.Equal(deliveries.Select(WebhookKit.Id).Order(StringComparer.Ordinal), received.Select(r => r.Id!).Order(StringComparer.Ordinal));
            Assert.All(received, r => Assert.Equal(0, r.Seen));
            Assert.All(received, r => Assert.True(WebhookReceiver.SignedWith(r, secret), $"unsigned: {r}"));
            Assert.All(received, r => Assert.Equal("Bearer shared-token", r.Authorization));
            Assert.All(deliveries, d => Assert.Equal(1, WebhookKit.Tries(d)));
            var nodes = deliveries.Select(d => d.GetProperty("attempts")[0].GetProperty("node").GetString()).ToList();
            Assert.Equal(2, nodes.Distinct().Count());
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", nodes.GroupBy(n => n).Select(g => $"{g.Key}: {g.Count()}")));
        }
        finally
        {
            TestDatabase.Drop(database);
        }
    }

    private static async Task<List<JsonElement>> ListAllAsync(HttpClient api, string path)
    {
        var all = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            var page = await ApiAssert.GetAsync(api, $"{path}?order=asc&limit=100{(after is null ? string.Empty : "&after=" + after)}");
            var data = page.GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (data.Count < 100)
            {
                return all;
            }

            after = WebhookKit.Id(data[^1]);
        }
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, Func<Task<string>> describe)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Not {what} within {Patience.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:\n{await describe()}");
            }

            await Task.Delay(200, Ct);
        }
    }
}
