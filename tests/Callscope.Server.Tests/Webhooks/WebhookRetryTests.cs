using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>
/// What the dispatcher does when a receiver fails: retries on timeouts, 408, 429 and 5xx when the app's clock reaches
/// the next try (the receiver's Retry-After first), gives up at once on other 4xx and after the last try, disables a
/// webhook that keeps failing and holds its messages until it is enabled again, replays what failed; and a slow
/// endpoint does not hold back another webhook's messages.
/// </summary>
public sealed class WebhookRetryTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;

    /// <summary>Long enough for a due try to be claimed many times over (the app polls every 100 ms) if it were due.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_errors_are_retried_when_the_clock_reaches_each_try_until_one_is_answered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = r => r.Seen < 2 ? new ReceiverAnswer(500, Body: "down") : ReceiverAnswer.Ok;
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:10,00:00:10"));
        var api = app.Api();
        var (id, secret) = await WebhookKit.CreateAsync(api, receiver.Url());

        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        var first = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.Tries(d) == 1, "the first try recorded");
        Assert.Equal("pending", WebhookKit.State(first));
        Assert.Equal(500, first.GetProperty("last_status").GetInt32());
        Assert.Equal("down", first.GetProperty("attempts")[0].GetProperty("response").GetString());
        var next = WebhookKit.Time(first.GetProperty("next_attempt_at"));
        var tried = WebhookKit.Time(first.GetProperty("attempts")[0].GetProperty("started_at"));
        Assert.InRange(next - tried, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
        Assert.NotEqual(JsonValueKind.Null, (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).GetProperty("failing_since").ValueKind);

        // Not before the clock reaches it.
        await Task.Delay(Quiet, Ct);
        Assert.Single(receiver.Received);

        await app.AdvanceAsync(TimeSpan.FromSeconds(13));
        await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.Tries(d) == 2, "the second try recorded");
        await app.AdvanceAsync(TimeSpan.FromSeconds(13));
        var done = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered", "delivered");

        Assert.Equal([500, 500, 200], done.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal([1, 2, 3], done.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal(3, done.GetProperty("attempt_count").GetInt32());
        Assert.Equal(200, done.GetProperty("last_status").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("finished_at").ValueKind);
        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(delivery, r.Id));
        Assert.All(received, r => Assert.True(WebhookReceiver.SignedWith(r, secret)));
        Assert.Equal(JsonValueKind.Null, (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).GetProperty("failing_since").ValueKind);
    }

    [Fact]
    public async Task A_429_is_tried_again_after_its_retry_after_and_not_before()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = r => r.Seen == 0 ? new ReceiverAnswer(429, RetryAfter: "120") : ReceiverAnswer.Ok;
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:01,00:00:01"));
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url());

        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        var first = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.Tries(d) == 1, "the first try recorded");
        Assert.Equal("pending", WebhookKit.State(first));
        Assert.Equal(429, first.GetProperty("last_status").GetInt32());
        Assert.Equal(WebhookKit.Time(first.GetProperty("attempts")[0].GetProperty("started_at")).AddSeconds(120), WebhookKit.Time(first.GetProperty("next_attempt_at")));

        await app.AdvanceAsync(TimeSpan.FromSeconds(119));
        await Task.Delay(Quiet, Ct);
        Assert.Single(receiver.Received);
        Assert.Equal(1, WebhookKit.Tries(await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}/deliveries/{delivery}")));

        await app.AdvanceAsync(TimeSpan.FromSeconds(2));
        var done = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered", "delivered after the Retry-After");
        Assert.Equal([429, 200], done.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task A_receiver_that_answers_too_slowly_has_its_try_recorded_as_an_error_and_tried_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = r => r.Seen == 0 ? new ReceiverAnswer(200, Hang: true) : ReceiverAnswer.Ok;
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:01"), ("Timeout", "00:00:01"));
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url());

        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        var first = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.Tries(d) == 1, "the timed-out try recorded");
        var attempt = first.GetProperty("attempts")[0];
        Assert.Equal("pending", WebhookKit.State(first));
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(attempt.GetProperty("error").GetString()));
        Assert.Equal(attempt.GetProperty("error").GetString(), first.GetProperty("last_error").GetString());

        await app.AdvanceAsync(TimeSpan.FromSeconds(2));
        var done = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered", "delivered on the second try");
        Assert.Equal(2, WebhookKit.Tries(done));
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task A_client_error_fails_the_delivery_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => new ReceiverAnswer(400, Body: "bad request");
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:01,00:00:01"));
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url());

        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        var failed = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "failed", "failed");
        Assert.Equal(1, WebhookKit.Tries(failed));
        Assert.Equal(400, failed.GetProperty("last_status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("last_error").GetString()));
        Assert.NotEqual(JsonValueKind.Null, failed.GetProperty("finished_at").ValueKind);

        await app.AdvanceAsync(TimeSpan.FromHours(1));
        await Task.Delay(Quiet, Ct);
        Assert.Single(receiver.Received);
        var list = await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}/deliveries?state=failed");
        Assert.Equal(1, list.GetProperty("total_count").GetInt32());
        Assert.Equal(0, (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}/deliveries?state=pending")).GetProperty("total_count").GetInt32());
        Assert.True((await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).GetProperty("enabled").GetBoolean());
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/webhooks/{id}/deliveries?state=lost", Ct), HttpStatusCode.BadRequest, "validation-failed");
    }

    [Fact]
    public async Task After_the_last_try_the_delivery_fails_and_can_be_replayed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => new ReceiverAnswer(503);
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:01,00:00:01"));
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url());

        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        for (var tries = 1; tries <= 2; tries++)
        {
            var count = tries;
            await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.Tries(d) == count, $"try {count} recorded");
            await app.AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        var failed = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "failed", "failed after three tries");
        Assert.Equal(3, WebhookKit.Tries(failed));
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("next_attempt_at").ValueKind);
        var webhook = await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}");
        Assert.True(webhook.GetProperty("enabled").GetBoolean(), "a day of failures (the default) has not passed");

        // Replaying what failed since a time after it was made replays nothing; since before, it.
        receiver.Respond = _ => ReceiverAnswer.Ok;
        var none = await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/deliveries/replay", new { since = "2026-11-25T11:00:00Z" }, HttpStatusCode.Accepted);
        Assert.Equal(0, none.GetProperty("replayed").GetInt32());
        await ApiAssert.ProblemAsync(await api.PostAsync($"/api/v1/webhooks/{id}/deliveries/replay",
            new StringContent("""{"since":"yesterday"}""", System.Text.Encoding.UTF8, "application/json"), Ct), HttpStatusCode.BadRequest, "validation-failed");
        var one = await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/deliveries/replay", new { since = "2026-11-25T09:59:00Z" }, HttpStatusCode.Accepted);
        Assert.Equal(1, one.GetProperty("replayed").GetInt32());
        var done = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered", "delivered on replay");
        Assert.Equal(4, WebhookKit.Tries(done));
        Assert.All(receiver.Received, r => Assert.Equal(delivery, r.Id));
    }

    [Fact]
    public async Task A_webhook_failing_long_enough_is_disabled_holds_its_messages_and_sends_them_when_enabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => new ReceiverAnswer(503);
        await using var app = WebhookKit.NewApp(("RetrySchedule", "00:00:01"), ("DisableAfter", "00:00:00"));
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url());

        var first = WebhookKit.Id(await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));
        await WebhookKit.WaitForDeliveryAsync(api, id, first, d => WebhookKit.Tries(d) == 1, "the first try");
        await app.AdvanceAsync(TimeSpan.FromSeconds(2));
        await WebhookKit.WaitForDeliveryAsync(api, id, first, d => WebhookKit.State(d) == "failed", "failed for good");

        var webhook = await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}");
        Assert.False(webhook.GetProperty("enabled").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(webhook.GetProperty("disabled_reason").GetString()));
        Assert.NotEqual(JsonValueKind.Null, webhook.GetProperty("failing_since").ValueKind);

        // Messages of a disabled webhook are kept, not sent.
        receiver.Respond = _ => ReceiverAnswer.Ok;
        await app.AdvanceAsync(TimeSpan.FromSeconds(10));
        await Events.PostAsync(api, Events.Joined("standup", "ana", T.AddSeconds(10), "c1"));
        await Task.Delay(Quiet, Ct);
        var held = await WebhookKit.DeliveriesAsync(api, id, "pending");
        Assert.Equal(["participant_joined", "session_started"], held.Select(d => d.GetProperty("event_type").GetString()).Order(StringComparer.Ordinal));
        Assert.All(held, d => Assert.Equal(0, d.GetProperty("attempt_count").GetInt32()));
        Assert.Equal(2, receiver.Received.Count);

        var enabled = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { enabled = true }, HttpStatusCode.OK);
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabled_reason").ValueKind);
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("failing_since").ValueKind);
        await receiver.WaitAsync(r => r.Count == 4, "the held messages");
        var all = await WebhookKit.WaitForDeliveriesAsync(api, id, d => d.Count(x => WebhookKit.State(x) == "delivered") == 2, "the held messages delivered");
        Assert.Equal("failed", WebhookKit.State(all.Single(d => WebhookKit.Id(d) == first)));

        // Disabled by hand: the reason says so, and nothing is sent until enabled.
        var disabled = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { enabled = false }, HttpStatusCode.OK);
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(disabled.GetProperty("disabled_reason").GetString()));
        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        await Task.Delay(Quiet, Ct);
        Assert.Equal(4, receiver.Received.Count);
        await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { enabled = true }, HttpStatusCode.OK);
        await receiver.WaitAsync(r => r.Count == 5, "the test message after enabling");
        await ApiAssert.ProblemAsync(await api.PatchAsync($"/api/v1/webhooks/{id}",
            new StringContent("""{"enabled":"yes"}""", System.Text.Encoding.UTF8, "application/json"), Ct), HttpStatusCode.BadRequest, "validation-failed");
    }

    [Fact]
    public async Task A_slow_endpoint_does_not_hold_back_another_webhooks_messages()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        slow.Respond = _ => new ReceiverAnswer(200, Hang: true);
        // Tries to the slow receiver hang for the whole test; the lease outlasts six rounds of them, as it must.
        await using var app = WebhookKit.NewApp(("Timeout", "00:02:00"), ("Lease", "00:15:00"), ("MaxInFlightPerWebhook", "2"), ("MaxInFlight", "4"));
        var api = app.Api();
        var (slowId, _) = await WebhookKit.CreateAsync(api, slow.Url());
        var (fastId, _) = await WebhookKit.CreateAsync(api, fast.Url());

        // The slow webhook's messages are queued first, and each batch queues both webhooks' messages together.
        for (var room = 0; room < 10; room++)
        {
            await Events.PostAsync(api, Events.Joined($"room-{room}", "ana", T, $"c{room}"));
        }

        var got = await fast.WaitAsync(r => r.Select(x => x.Id).Distinct().Count() == 20, "all 20 of its messages while the other hangs");
        Assert.True(slow.Hanging >= 1, "the slow receiver holds requests");
        Assert.True(slow.Received.Count <= 2, $"the slow webhook had more than its limit in flight: {slow.Received.Count}");
        Assert.Equal(20, got.Count);
        await WebhookKit.AllDeliveredAsync(api, fastId, 20);
        Assert.Empty(await WebhookKit.DeliveriesAsync(api, slowId, "delivered"));

        slow.Respond = _ => ReceiverAnswer.Ok;
        slow.ReleaseHanging();
        await WebhookKit.AllDeliveredAsync(api, slowId, 20);
    }
}
