using System.Net;
using System.Net.Http.Json;
using Callscope.Server.Tests.Browser;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.LiveKit;
using Callscope.Server.Tests.Webhooks;

namespace Callscope.Server.Tests.Telemetry;

/// <summary>
/// Callscope's own instruments, read back from <c>/metrics</c> after real work on the real store: the counts move by
/// exactly what was stored, and the writer's, the sweeper's, the webhooks' and LiveKit's instruments show up.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class MetricsTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stored_events_and_duplicates_move_the_counters_by_exactly_what_was_stored()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        var first = new[] { Events.Joined("counted", "ana", T, "c1"), Events.Joined("counted", "bo", T.AddSeconds(1), "c2"), Events.Left("counted", "bo", T.AddSeconds(2), "c2") };
        await Events.PostAsync(api, first[0]);
        var before = await MetricsText.ScrapeAsync(api);

        // Three new events, then two of them again beside one more.
        var stored = await Events.PostAsync(api, first);
        var again = await Events.PostAsync(api, first[1], first[2], Events.Left("counted", "ana", T.AddSeconds(3), "c1"));
        var invalid = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(new { id = "no-type" }), Ct);
        var anonymous = await app.CreateClient().PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("counted", "cy", T)), Ct);
        var token = await BrowserClient.TokenAsync(app, room: "counted", identity: "ana");
        var browser = await BrowserClient.SendAsync(app, token,
            BrowserClient.Batch(BrowserClient.Event("page_visible", T.AddSeconds(1), connection: "c1"), BrowserClient.Event("page_hidden", T.AddSeconds(2), connection: "c1")));
        var after = await MetricsText.ScrapeAsync(api);

        Assert.Equal((2, 1), (stored.GetProperty("accepted").GetInt32(), stored.GetProperty("duplicates").GetInt32()));
        Assert.Equal((1, 2), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, browser.StatusCode);
        Assert.Equal(3, after.Delta(before, "callscope_events_ingested_total", ("source", "api")));
        Assert.Equal(3, after.Delta(before, "callscope_events_duplicates_total", ("source", "api")));
        Assert.Equal(2, after.Delta(before, "callscope_events_ingested_total", ("source", "client")));
        Assert.Equal(0, after.Delta(before, "callscope_events_duplicates_total", ("source", "client")));
        Assert.Equal(2, after.Delta(before, "callscope_ingest_requests_total", ("source", "api"), ("outcome", "accepted")));
        Assert.Equal(1, after.Delta(before, "callscope_ingest_requests_total", ("source", "api"), ("outcome", "invalid")));
        Assert.Equal(1, after.Delta(before, "callscope_ingest_requests_total", ("source", "api"), ("outcome", "unauthorized")));
        Assert.Equal(1, after.Delta(before, "callscope_ingest_requests_total", ("source", "client"), ("outcome", "accepted")));
        Assert.Equal(5, after.Delta(before, "callscope_ingest_requests_total"));
    }

    [Fact]
    public async Task The_writer_reports_its_queue_and_each_group_commit()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        var before = await MetricsText.ScrapeAsync(api);

        await Events.PostAsync(api, Events.Joined("writer", "ana", T, "c1"), Events.Joined("writer", "bo", T, "c2"), Events.Left("writer", "bo", T.AddSeconds(1), "c2"));
        var after = await MetricsText.ScrapeAsync(api);

        Assert.True(after.Has("callscope_writer_queue_length"), after.Text);
        Assert.True(after.Value("callscope_writer_commit_commands_count") > before.Value("callscope_writer_commit_commands_count"));
        Assert.True(after.Delta(before, "callscope_writer_commit_events_sum") >= 3);
        Assert.True(after.Value("callscope_writer_commit_duration_seconds_count") > before.Value("callscope_writer_commit_duration_seconds_count"));
        Assert.True(after.Value("callscope_writer_commit_duration_seconds_sum") > before.Value("callscope_writer_commit_duration_seconds_sum"));
        Assert.True(after.Value("callscope_writer_queue_wait_seconds_count") > before.Value("callscope_writer_queue_wait_seconds_count"));

        // Each transaction waited for at least one command, and every committed command was counted in one.
        Assert.True(after.Value("callscope_writer_commit_commands_sum") >= after.Value("callscope_writer_commit_commands_count"));
        Assert.Equal(after.Value("callscope_writer_commit_commands_count"), after.Value("callscope_writer_commit_duration_seconds_count"));
    }

    [Fact]
    public async Task Live_and_ending_soon_sessions_are_gauges_over_every_team()
    {
        await using var app = new CallscopeApp();
        var (_, otherKey) = app.CreateTeam("Other team");
        await Events.PostAsync(app.Api(), Events.Joined("busy", "ana", T, "c1"));
        await Events.PostAsync(app.Api(otherKey), Events.Joined("emptied", "bo", T, "c2"), Events.Left("emptied", "bo", T.AddSeconds(5), "c2"));
        await Events.PostAsync(app.Api(otherKey), Events.Joined("busy-too", "cy", T, "c3"));

        var metrics = await MetricsText.ScrapeAsync(app.Api());

        Assert.Equal(2, metrics.Value("callscope_sessions_live"));
        Assert.Equal(1, metrics.Value("callscope_sessions_ending_soon"));
    }

    [Fact]
    public async Task A_late_event_is_counted_as_a_replay_of_a_window()
    {
        await using var app = new CallscopeApp();
        app.Clock.SetUtcNow(T.AddSeconds(30));
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("late", "ana", T.AddSeconds(10), "c1"), Events.Left("late", "ana", T.AddSeconds(20), "c1"));
        var before = await MetricsText.ScrapeAsync(api);

        await Events.PostAsync(api, Events.Joined("late", "bo", T.AddSeconds(12), "c2"), Events.Left("late", "bo", T.AddSeconds(15), "c2"));
        var after = await MetricsText.ScrapeAsync(api);

        Assert.Equal(1, after.Delta(before, "callscope_writer_late_replays_total", ("kind", "window")));
        Assert.Equal(0, after.Delta(before, "callscope_writer_late_replays_total", ("kind", "full")));
    }

    [Fact]
    public async Task The_sweeper_reports_how_long_after_its_deadline_it_wrote_an_end()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("swept", "ana", T, "c1"), Events.Left("swept", "ana", T.AddSeconds(5), "c1"));
        var grace = Core.Law.RoomPolicy.DefaultGracePeriod;
        var before = await MetricsText.ScrapeAsync(api);

        // The clock jumps 3 s past the deadline (the last leave plus the grace period) before the sweeper looks.
        app.Clock.SetUtcNow(T.AddSeconds(5) + grace + TimeSpan.FromSeconds(3));
        await app.SettleAsync();
        var after = await MetricsText.ScrapeAsync(api);

        Assert.Equal(1, after.Delta(before, "callscope_sweeper_lateness_seconds_count"));
        Assert.Equal(3, after.Delta(before, "callscope_sweeper_lateness_seconds_sum"), 3);
    }

    [Fact]
    public async Task Webhook_tries_are_counted_by_outcome()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = request => request.Path == "/gone" ? new ReceiverAnswer(410) : ReceiverAnswer.Ok;
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        await WebhookKit.CreateAsync(api, receiver.Url("/ok"), events: ["session_started"]);
        await WebhookKit.CreateAsync(api, receiver.Url("/gone"), events: ["session_started"]);

        await Events.PostAsync(api, Events.Joined("hooked", "ana", T, "c1"));
        await receiver.WaitAsync(r => r.Count >= 2, "a try at each webhook");
        var metrics = await WaitForAsync(api, m => m.Value("callscope_webhooks_tries_total") >= 2);

        Assert.Equal(1, metrics.Value("callscope_webhooks_tries_total", ("outcome", "delivered")));
        Assert.Equal(1, metrics.Value("callscope_webhooks_tries_total", ("outcome", "failed")));
        Assert.Equal(2, metrics.Value("callscope_webhooks_tries_total"));

        // The dispatcher's requests are the HTTP client's: its standard metrics count them.
        Assert.True(metrics.Value("http_client_request_duration_seconds_count") >= 2, metrics.Text);
    }

    [Fact]
    public async Task LiveKit_room_service_calls_are_counted_by_outcome()
    {
        var call = WebhookScenario.Load("full-call");
        var endAt = T.AddSeconds(2);
        await using var livekit = await RoomServiceStandIn.StartAsync(call, endAt);
        await using var app = new CallscopeApp();
        app.Settings["Callscope:Outbound:AllowPrivateNetworks"] = "true";
        await app.ConnectLiveKitAsync(call, livekit.Url);
        await app.DeliverAllAsync(call.Requests.Take(2));
        app.MoveClockTo(endAt);
        var session = (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("data")[0].GetProperty("id").GetString();

        var ended = await app.Api().PostAsync($"/api/v1/sessions/{session}/end", null, Ct);
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(200, (await livekit.NextCallAsync()).GetProperty("status").GetInt32());
        var metrics = await WaitForAsync(app.Api(), m => m.Value("callscope_livekit_calls_total") >= 1);

        Assert.Equal(1, metrics.Value("callscope_livekit_calls_total", ("operation", "DeleteRoom"), ("outcome", "ok")));
        Assert.Equal(1, metrics.Value("callscope_livekit_calls_total"));
        Assert.Equal(2, metrics.Value("callscope_events_ingested_total", ("source", "livekit")));
        Assert.Equal(2, metrics.Value("callscope_ingest_requests_total", ("source", "livekit"), ("outcome", "accepted")));
    }

    [Fact]
    public async Task The_standard_AspNetCore_and_runtime_metrics_are_there_too()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await ApiAssert.GetAsync(api, "/api/v1/sessions");

        var metrics = await MetricsText.ScrapeAsync(api);

        Assert.True(metrics.Has("http_server_request_duration_seconds_count"), metrics.Text);
        Assert.True(metrics.Value("http_server_request_duration_seconds_count", ("http_route", "/api/v1/sessions/")) >= 1, metrics.Text);
        Assert.Contains("dotnet_gc_", metrics.Text, StringComparison.Ordinal);
    }

    /// <summary>Scrapes until <paramref name="until"/> holds (the count follows work done in the background), for up to a minute.</summary>
    private static async Task<MetricsText> WaitForAsync(HttpClient api, Func<MetricsText, bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var metrics = await MetricsText.ScrapeAsync(api);
            if (until(metrics) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(50, Ct);
        }
    }
}
