using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>
/// What a receiver gets: Standard Webhooks signatures (checked with the specification's own library and by hand), the
/// bearer token, Digital Samba's message shapes for every event of a call, only the events a webhook asked for, only
/// the webhooks a room allows, a second <c>session_ended</c> when a late event moves an end, test messages, replays
/// and key rotation.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private static readonly string[] EndedOnly = ["session_ended"];
    private static readonly string[] JoinedOnly = ["participant_joined"];
    private static readonly string[] TopLevel = ["data", "eventType", "roomId", "sessionId", "timestamp"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_is_signed_as_standard_webhooks_and_carries_the_bearer_token()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();

        // The specification's library checks the timestamp against the real clock: the app's clock is set to it.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(now > app.Clock.GetUtcNow(), "the test clock starts before the real one");
        app.Clock.SetUtcNow(now);
        var api = app.Api();
        var (id, secret) = await WebhookKit.CreateAsync(api, receiver.Url("/signed"), token: "bearer-for-receiver");

        await Events.PostAsync(api, Events.Joined("signed-room", "ana", now, "c1"));
        var received = await receiver.WaitAsync(r => r.Count >= 2, "session_started and participant_joined");
        var deliveries = await WebhookKit.WaitForDeliveriesAsync(api, id, d => d.Count == 2 && d.All(x => WebhookKit.State(x) == "delivered"), "two delivered");

        Assert.Equal(2, received.Count);
        foreach (var request in received)
        {
            Assert.Equal("/signed", request.Path);
            Assert.Equal("application/json", request.ContentType.Split(';')[0]);
            Assert.Equal("Bearer bearer-for-receiver", request.Authorization);
            Assert.Equal(now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Timestamp);
            Assert.StartsWith("msg_", request.Id, StringComparison.Ordinal);
            Assert.True(WebhookReceiver.SignedWith(request, secret), $"the signature does not check by hand: {request.Signature}");
            Assert.Single(request.Signature!.Split(' '));
            new StandardWebhook(secret).Verify(request.Body, Headers(request));

            // The delivery log names the same message: its id is the webhook-id, its payload the body.
            var delivery = deliveries.Single(d => WebhookKit.Id(d) == request.Id);
            Assert.Equal(request.EventType, delivery.GetProperty("event_type").GetString());
            Assert.True(JsonElement.DeepEquals(request.Json, delivery.GetProperty("payload")), $"{request.Body} vs {delivery.GetProperty("payload")}");
            Assert.Equal(1, delivery.GetProperty("attempt_count").GetInt32());
            var attempt = delivery.GetProperty("attempts").EnumerateArray().Single();
            Assert.Equal(200, attempt.GetProperty("status").GetInt32());
            Assert.Equal("thanks", attempt.GetProperty("response").GetString());
            Assert.False(string.IsNullOrEmpty(attempt.GetProperty("node").GetString()));
            Assert.False(delivery.TryGetProperty("signing_secret", out _));
            Assert.DoesNotContain("bearer-for-receiver", delivery.ToString(), StringComparison.Ordinal);
        }

        // Both checks can fail: another body, id or key does not verify.
        var tampered = received[0] with { Body = received[0].Body + " " };
        Assert.False(WebhookReceiver.SignedWith(tampered, secret));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(tampered.Body, Headers(tampered)));
        var otherId = received[0] with { Id = received[1].Id };
        Assert.False(WebhookReceiver.SignedWith(otherId, secret));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(otherId.Body, Headers(otherId)));
        var otherKey = "whsec_" + Convert.ToBase64String(new byte[32]);
        Assert.False(WebhookReceiver.SignedWith(received[0], otherKey));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(otherKey).Verify(received[0].Body, Headers(received[0])));
    }

    [Fact]
    public async Task Every_event_of_a_call_is_sent_in_its_documented_shape()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (id, secret) = await WebhookKit.CreateAsync(api, receiver.Url());
        await app.AdvanceAsync(TimeSpan.FromSeconds(61));

        await Events.PostAsync(api,
            Events.Joined("standup", "ana", T, "c-ana"),
            Events.Joined("standup", "bob", T.AddSeconds(10), "c-bob"),
            Events.Left("standup", "bob", T.AddSeconds(30), "c-bob", data: new { reason = "network" }),
            Events.Left("standup", "ana", T.AddSeconds(60), "c-ana"));
        await receiver.WaitAsync(r => r.Any(x => x.EventType == "session_ending_soon") && r.Count(x => x.EventType == "participant_left") == 2, "the call's messages");
        await WebhookKit.AllDeliveredAsync(api, id, 6);

        // The grace period (420 s) runs out at T+480.
        await app.AdvanceAsync(TimeSpan.FromMinutes(7));
        var received = await receiver.WaitAsync(r => r.Any(x => x.EventType == "session_ended"), "session_ended");
        await WebhookKit.AllDeliveredAsync(api, id, 7);
        received = receiver.Received;

        var session = (await WebhookKit.GetAsync(api, "/api/v1/sessions")).GetProperty("data").EnumerateArray().Single();
        var sessionId = session.GetProperty("id").GetString();
        var roomId = session.GetProperty("room_id").GetString();
        var participants = (await WebhookKit.GetAsync(api, $"/api/v1/sessions/{sessionId}/participants")).GetProperty("data").EnumerateArray()
            .ToDictionary(p => p.GetProperty("external_id").GetString()!, p => p.GetProperty("id").GetString());

        Assert.Equal(
            ["participant_joined", "participant_joined", "participant_left", "participant_left", "session_ended", "session_ending_soon", "session_started"],
            received.Select(r => r.EventType).Order(StringComparer.Ordinal));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        foreach (var request in received)
        {
            Assert.True(WebhookReceiver.SignedWith(request, secret), $"unsigned: {request}");
            var message = request.Json;
            Assert.Equal(TopLevel, message.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(sessionId, message.GetProperty("sessionId").GetString());
            Assert.Equal(roomId, message.GetProperty("roomId").GetString());
            Assert.Equal(JsonValueKind.Number, message.GetProperty("timestamp").ValueKind);
            Assert.Equal(JsonValueKind.Object, message.GetProperty("data").ValueKind);
        }

        JsonElement One(string type, Func<JsonElement, bool>? where = null) =>
            received.Select(r => r.Json).Single(m => m.GetProperty("eventType").GetString() == type && (where is null || where(m.GetProperty("data"))));
        static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

        var started = One("session_started");
        Assert.Equal(Unix(T), started.GetProperty("timestamp").GetInt64());
        Assert.Equal("2026-11-25T10:00:00.000Z", started.GetProperty("data").GetProperty("start_time").GetString());

        var anaJoined = One("participant_joined", d => d.GetProperty("external_id").GetString() == "ana");
        Assert.Equal(Unix(T), anaJoined.GetProperty("timestamp").GetInt64());
        var joined = anaJoined.GetProperty("data");
        Assert.Equal(participants["ana"], joined.GetProperty("participant_id").GetString());
        Assert.Equal("ANA", joined.GetProperty("name").GetString());
        Assert.True(joined.TryGetProperty("role", out _), "participant_joined carries the role");
        Assert.Equal("2026-11-25T10:00:00.000Z", joined.GetProperty("join_time").GetString());
        Assert.Equal("c-ana", joined.GetProperty("connection_id").GetString());

        var bobLeft = One("participant_left", d => d.GetProperty("external_id").GetString() == "bob");
        Assert.Equal(Unix(T.AddSeconds(30)), bobLeft.GetProperty("timestamp").GetInt64());
        var left = bobLeft.GetProperty("data");
        Assert.Equal(participants["bob"], left.GetProperty("participant_id").GetString());
        Assert.Equal("BOB", left.GetProperty("name").GetString());
        Assert.Equal("2026-11-25T10:00:10.000Z", left.GetProperty("join_time").GetString());
        Assert.Equal("2026-11-25T10:00:30.000Z", left.GetProperty("leave_time").GetString());
        Assert.Equal("network", left.GetProperty("leave_reason").GetString());
        Assert.Equal(20, left.GetProperty("duration").GetInt64());
        Assert.Equal("c-bob", left.GetProperty("connection_id").GetString());
        Assert.Equal("left", One("participant_left", d => d.GetProperty("external_id").GetString() == "ana").GetProperty("data").GetProperty("leave_reason").GetString());

        var endingSoon = One("session_ending_soon");
        Assert.Equal(Unix(T.AddSeconds(60)), endingSoon.GetProperty("timestamp").GetInt64());
        Assert.Equal("2026-11-25T10:01:00.000Z", endingSoon.GetProperty("data").GetProperty("last_participant_left_at").GetString());
        Assert.Equal("2026-11-25T10:08:00.000Z", endingSoon.GetProperty("data").GetProperty("ends_at").GetString());
        Assert.Equal(420, endingSoon.GetProperty("data").GetProperty("grace_period").GetInt64());

        var ended = One("session_ended");
        Assert.Equal(Unix(T.AddSeconds(480)), ended.GetProperty("timestamp").GetInt64());
        var end = ended.GetProperty("data");
        Assert.Equal("2026-11-25T10:00:00.000Z", end.GetProperty("start_time").GetString());
        Assert.Equal("2026-11-25T10:08:00.000Z", end.GetProperty("end_time").GetString());
        Assert.Equal("grace_expired", end.GetProperty("end_reason").GetString());
        Assert.Equal(JsonValueKind.Null, end.GetProperty("ended_by").ValueKind);
        Assert.Equal(480, end.GetProperty("duration").GetInt64());
        Assert.Equal(2, end.GetProperty("participants_total").GetInt32());
        Assert.Equal(2, end.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(session.GetProperty("end_time").GetString(), end.GetProperty("end_time").GetString());

        // The deliveries name the room and session of their message.
        foreach (var delivery in await WebhookKit.DeliveriesAsync(api, id))
        {
            Assert.Equal(roomId, delivery.GetProperty("room_id").GetString());
            Assert.Equal(sessionId, delivery.GetProperty("session_id").GetString());
            Assert.Equal(1, WebhookKit.Tries(delivery));
        }
    }

    [Fact]
    public async Task A_webhook_gets_only_the_events_it_asked_for()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (all, _) = await WebhookKit.CreateAsync(api, receiver.Url("/all"));
        var (endsOnly, _) = await WebhookKit.CreateAsync(api, receiver.Url("/ends"), EndedOnly);
        await app.AdvanceAsync(TimeSpan.FromSeconds(61));

        await Events.PostAsync(api, Events.Joined("standup", "ana", T, "c1"), Events.Joined("standup", "bob", T.AddSeconds(5), "c2"),
            Events.Left("standup", "bob", T.AddSeconds(20), "c2"), Events.Left("standup", "ana", T.AddSeconds(60), "c1"));
        await WebhookKit.AllDeliveredAsync(api, all, 6);
        await app.AdvanceAsync(TimeSpan.FromMinutes(7));
        await receiver.WaitAsync(r => r.Count(x => x.Path == "/all") == 7 && r.Any(x => x.Path == "/ends"), "every message to /all and one to /ends");
        await WebhookKit.AllDeliveredAsync(api, all, 7);

        var ends = receiver.Received.Where(r => r.Path == "/ends").ToList();
        Assert.Equal(["session_ended"], ends.Select(r => r.EventType));
        var deliveries = await WebhookKit.DeliveriesAsync(api, endsOnly);
        Assert.Equal(["session_ended"], deliveries.Select(d => d.GetProperty("event_type").GetString()));
        Assert.Equal(7, (await WebhookKit.DeliveriesAsync(api, all)).Count);

        // Changing the events changes what comes next.
        await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{endsOnly}", new { events = JoinedOnly }, HttpStatusCode.OK);
        await Events.PostAsync(api, Events.Joined("standup", "cid", T.AddSeconds(481), "c3"));
        await receiver.WaitAsync(r => r.Count(x => x.Path == "/ends") == 2, "the join on the changed webhook");
        Assert.Equal(["participant_joined", "session_ended"], (await WebhookKit.DeliveriesAsync(api, endsOnly)).Select(d => d.GetProperty("event_type").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_room_limited_to_one_webhook_sends_nothing_to_another()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (a, _) = await WebhookKit.CreateAsync(api, receiver.Url("/a"));
        var (b, _) = await WebhookKit.CreateAsync(api, receiver.Url("/b"));
        var scoped = (await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/rooms", new { friendly_url = "scoped", webhooks = new[] { a } }, HttpStatusCode.Created))
            .GetProperty("id").GetString();
        var open = (await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/rooms", new { friendly_url = "open" }, HttpStatusCode.Created)).GetProperty("id").GetString();

        await Events.PostAsync(api, Events.Joined("scoped", "ana", T, "c1"));
        await Events.PostAsync(api, Events.Joined("open", "bob", T, "c2"));
        var received = await receiver.WaitAsync(r => r.Count(x => x.Path == "/a") == 4 && r.Count(x => x.Path == "/b") == 2, "four messages to A and two to B");

        var toA = received.Where(r => r.Path == "/a").Select(r => r.Json.GetProperty("roomId").GetString()).ToList();
        Assert.Equal(2, toA.Count(r => r == scoped));
        Assert.Equal(2, toA.Count(r => r == open));
        Assert.All(received.Where(r => r.Path == "/b"), r => Assert.Equal(open, r.Json.GetProperty("roomId").GetString()));
        Assert.All(await WebhookKit.DeliveriesAsync(api, b), d => Assert.Equal(open, d.GetProperty("room_id").GetString()));
        Assert.Equal(4, (await WebhookKit.DeliveriesAsync(api, a)).Count);

        // Letting every webhook hear the room again (an empty list) sends its next events to B too.
        await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/rooms/{scoped}", new { webhooks = Array.Empty<string>() }, HttpStatusCode.OK);
        await Events.PostAsync(api, Events.Joined("scoped", "cid", T.AddSeconds(5), "c3"));
        await receiver.WaitAsync(r => r.Any(x => x.Path == "/b" && x.Json.GetProperty("roomId").GetString() == scoped), "the scoped room's join on B");
    }

    [Fact]
    public async Task A_late_event_that_moves_an_ended_sessions_end_sends_a_second_session_ended()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (id, _) = await WebhookKit.CreateAsync(api, receiver.Url(), EndedOnly);
        await app.AdvanceAsync(TimeSpan.FromSeconds(61));
        await Events.PostAsync(api, Events.Joined("standup", "ana", T, "c1"), Events.Left("standup", "ana", T.AddSeconds(60), "c1"));
        await app.AdvanceAsync(TimeSpan.FromMinutes(7));
        var first = (await receiver.WaitAsync(r => r.Count == 1, "the first session_ended")).Single().Json;
        Assert.Equal("2026-11-25T10:08:00.000Z", first.GetProperty("data").GetProperty("end_time").GetString());
        await WebhookKit.AllDeliveredAsync(api, id, 1);

        // Carol was in the call from T+100 to T+200: her events arrive after the session ended, and move its end to T+620.
        await app.AdvanceAsync(TimeSpan.FromMinutes(10));
        await Events.PostAsync(api, Events.Joined("standup", "carol", T.AddSeconds(100), "c2"), Events.Left("standup", "carol", T.AddSeconds(200), "c2"));
        await app.SettleAsync();
        var received = await receiver.WaitAsync(r => r.Count == 2, "a second session_ended");

        var second = received[1].Json;
        Assert.Equal("session_ended", second.GetProperty("eventType").GetString());
        Assert.Equal(first.GetProperty("sessionId").GetString(), second.GetProperty("sessionId").GetString());
        Assert.Equal("2026-11-25T10:10:20.000Z", second.GetProperty("data").GetProperty("end_time").GetString());
        Assert.Equal(620, second.GetProperty("data").GetProperty("duration").GetInt64());
        Assert.Equal(2, second.GetProperty("data").GetProperty("participants_total").GetInt32());
        Assert.NotEqual(received[0].Id, received[1].Id);
        var session = (await WebhookKit.GetAsync(api, "/api/v1/sessions")).GetProperty("data").EnumerateArray().Single();
        Assert.Equal(session.GetProperty("end_time").GetString(), second.GetProperty("data").GetProperty("end_time").GetString());

        // Writing the same facts again announces nothing new.
        await WebhookKit.AllDeliveredAsync(api, id, 2);
        await Events.PostAsync(api, Events.Of("audio_enabled", "standup", "carol", T.AddSeconds(150), connection: "c2"));
        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await WebhookKit.DeliveriesAsync(api, id)).Count);
    }

    [Fact]
    public async Task A_test_message_and_a_replay_reach_the_receiver_and_a_replay_keeps_the_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (id, secret) = await WebhookKit.CreateAsync(api, receiver.Url(), EndedOnly);

        var queued = await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        Assert.Equal("webhook_test", queued.GetProperty("event_type").GetString());
        Assert.Equal(id, queued.GetProperty("webhook_id").GetString());
        var delivery = WebhookKit.Id(queued);
        var test = (await receiver.WaitAsync(r => r.Count == 1, "the test message")).Single();
        Assert.Equal(delivery, test.Id);
        Assert.Equal("webhook_test", test.EventType);
        Assert.True(WebhookReceiver.SignedWith(test, secret));
        await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered", "the test delivered");

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var replayed = await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/deliveries/{delivery}/replay", null, HttpStatusCode.Accepted);
        Assert.Equal(delivery, WebhookKit.Id(replayed));
        var again = (await receiver.WaitAsync(r => r.Count == 2, "the replay"))[1];
        Assert.Equal(delivery, again.Id);
        Assert.Equal(1, again.Seen);
        Assert.Equal(test.Body, again.Body);
        Assert.True(WebhookReceiver.SignedWith(again, secret));
        var after = await WebhookKit.WaitForDeliveryAsync(api, id, delivery, d => WebhookKit.State(d) == "delivered" && WebhookKit.Tries(d) == 2, "the replay recorded");
        Assert.Equal([1, 2], after.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal(WebhookKit.Id(after), WebhookKit.Id(await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}/deliveries/{delivery}")));

        await ApiAssert.ProblemAsync(await api.PostAsync($"/api/v1/webhooks/{id}/deliveries/msg_nothing/replay", null, Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/webhooks/{id}/deliveries/msg_nothing", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task After_a_rotation_messages_are_signed_with_both_keys_for_a_day_then_with_the_new_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var api = app.Api();
        var (id, oldSecret) = await WebhookKit.CreateAsync(api, receiver.Url(), EndedOnly);

        var rotated = await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/rotate-secret", null, HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("signing_secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(id, WebhookKit.Id(rotated));
        Assert.False((await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).TryGetProperty("signing_secret", out _));

        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        var during = (await receiver.WaitAsync(r => r.Count == 1, "a message during the overlap")).Single();
        Assert.Equal(2, during.Signature!.Split(' ').Length);
        Assert.True(WebhookReceiver.SignedWith(during, newSecret), during.Signature);
        Assert.True(WebhookReceiver.SignedWith(during, oldSecret), during.Signature);
        new StandardWebhook(newSecret).Verify(during.Body, Headers(during));

        // The old key's entry is the second one: StandardWebhooks 1.1.2's Verify compares the first entry only, so it is
        // checked here by hand (above) and with the library on the old key's entry alone.
        new StandardWebhook(oldSecret).Verify(during.Body, Headers(during with { Signature = during.Signature.Split(' ')[1] }));

        await WebhookKit.AllDeliveredAsync(api, id, 1);
        app.Clock.Advance(TimeSpan.FromHours(24).Add(TimeSpan.FromSeconds(1)));
        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        var later = (await receiver.WaitAsync(r => r.Count == 2, "a message after the overlap"))[1];
        Assert.Single(later.Signature!.Split(' '));
        Assert.True(WebhookReceiver.SignedWith(later, newSecret));
        Assert.False(WebhookReceiver.SignedWith(later, oldSecret));
    }

    private static HeaderDictionary Headers(ReceivedRequest request) => new()
    {
        ["webhook-id"] = request.Id,
        ["webhook-timestamp"] = request.Timestamp,
        ["webhook-signature"] = request.Signature,
    };
}
