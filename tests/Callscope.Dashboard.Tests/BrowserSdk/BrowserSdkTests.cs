using System.Net;
using System.Text.Json;

namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// The browser SDK end to end in Debian's Chromium: the bundle the server serves, loaded by a page of an app at another
/// origin, reporting a real call between two peer connections (fake camera and microphone), a denied camera, the last
/// events of a page that goes away, and the team's allowed origins. Every wait is bounded polling of the REST API.
/// </summary>
public sealed class BrowserSdkTests(MediaBrowser browser) : BrowserSdkTest(browser)
{
    [Fact]
    public async Task A_call_between_two_watched_peer_connections_shows_quality_samples_with_rtt_and_bitrates_within_15_s()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var token = await ClientTokenAsync("sdk-call", "ana", "Ana Ruiz");
        var page = await OpenAppAsync();
        // Rates are measured between two readings, so the first full sample comes at the second reading after the media
        // flows. A reading a second (not the default five) lets the wait below see several readings of the running call,
        // however long a loaded machine takes to set the call up, instead of the two or three it had by default.
        await ConnectAsync(page, token, new { presence = true, sampleInterval = 1000 });
        await page.EvaluateAsync("() => sdkTest.call('ana-laptop', false)");

        var participant = await ParticipantIdAsync("sdk-call", "ana");
        var sample = await PollAsync(
            async () => (await EventsAsync(participant)).Cast<JsonElement?>().FirstOrDefault(e =>
                e!.Value.GetProperty("type").GetString() == "quality_sample"
                && Number(e.Value, "rtt_ms") is not null
                && Number(e.Value, "bitrate_up_kbps") is > 0
                && Number(e.Value, "bitrate_down_kbps") is > 0) is { } found ? new Box<JsonElement>(found) : null,
            TimeSpan.FromSeconds(15),
            "quality_sample with rtt_ms, bitrate_up_kbps and bitrate_down_kbps");

        // Real numbers of a real call over this machine's own interface: a round trip of a few milliseconds, video both ways
        // (the publisher's sent, the subscriber's received, merged into one sample of the connection), the fake camera's size.
        var data = sample.Value.GetProperty("data");
        Log($"first full quality_sample: {data}");
        Assert.InRange(Number(sample.Value, "rtt_ms")!.Value, 0, 1000);
        Assert.InRange(Number(sample.Value, "bitrate_up_kbps")!.Value, 1, 100_000);
        Assert.InRange(Number(sample.Value, "bitrate_down_kbps")!.Value, 1, 100_000);
        Assert.Equal(2, data.GetProperty("peers").GetInt32());
        Assert.Equal("connected", data.GetProperty("connection_state").GetString());
        Assert.True(data.GetProperty("width").GetInt32() > 0, $"a sample without the video's width: {data}");
        Assert.Equal("host", data.GetProperty("candidate_type").GetString());
        Assert.Empty(await page.EvaluateAsync<JsonElement[]>("() => sdkTest.errors"));
    }

    [Fact]
    public async Task A_denied_camera_arrives_as_media_permissions_failed_and_raises_device_problem()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var token = await ClientTokenAsync("sdk-denied", "ben", "Ben Okafor");
        var page = await OpenAppAsync(media: false);
        await ConnectAsync(page, token, new { presence = true });

        Assert.Equal("NotAllowedError", await page.EvaluateAsync<string>("() => sdkTest.camera()"));

        var participant = await ParticipantIdAsync("sdk-denied", "ben");
        var failure = await PollAsync(
            async () => (await EventsAsync(participant)).Where(e => e.GetProperty("type").GetString() == "media_permissions_failed")
                .Select(e => new Box<JsonElement>(e)).FirstOrDefault(),
            TimeSpan.FromSeconds(15),
            "media_permissions_failed event");
        Assert.Equal("NotAllowedError", failure.Value.GetProperty("data").GetProperty("code").GetString());
        Assert.Equal("camera", failure.Value.GetProperty("data").GetProperty("device").GetString());

        var issue = await PollAsync(
            async () => (await IssuesAsync(participant)).Where(i => i.GetProperty("kind").GetString() == "device_problem")
                .Select(i => new Box<JsonElement>(i)).FirstOrDefault(),
            TimeSpan.FromSeconds(20),
            "device_problem issue");
        Assert.Equal("error", issue.Value.GetProperty("severity").GetString());
        var evidence = issue.Value.GetProperty("evidence").GetProperty("samples");
        Assert.Contains(evidence.EnumerateArray(), s => s.GetProperty("event_id").GetString() == failure.Value.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Events_queued_as_the_page_goes_away_arrive_by_beacon()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var token = await ClientTokenAsync("sdk-leave", "cleo", "Cleo Park");
        var page = await OpenAppAsync();

        // The app records why the call ended when its page goes away; its listener runs before the SDK's, so the event is
        // still in the SDK's buffer when the SDK's own page-hide handler runs, and nothing but that handler can send it.
        await page.EvaluateAsync("""
            ([url, token]) => {
              addEventListener('pagehide', () => client.event('call_abandoned', { step: 'waiting_room' }));
              sdkTest.connect({ url, token, presence: true });
            }
            """, new[] { Server, token });
        var participant = await ParticipantIdAsync("sdk-leave", "cleo");

        await page.GotoAsync(Origins.AppOrigin + "/goodbye");

        var events = await PollAsync(
            async () => await EventsAsync(participant) is var all
                && all.Any(e => e.GetProperty("type").GetString() == "call_abandoned")
                && all.Any(e => e.GetProperty("type").GetString() == "participant_left") ? all : null,
            TimeSpan.FromSeconds(15),
            "call_abandoned and participant_left events");
        var abandoned = events.First(e => e.GetProperty("type").GetString() == "call_abandoned");
        Assert.Equal("waiting_room", abandoned.GetProperty("data").GetProperty("step").GetString());
        Assert.Equal("left", events.First(e => e.GetProperty("type").GetString() == "participant_left").GetProperty("data").GetProperty("reason").GetString());
        AssertBeaconCarried("call_abandoned");
    }

    [Fact]
    public async Task A_closed_tab_sends_its_last_events_by_beacon()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var token = await ClientTokenAsync("sdk-close", "dev", "Dev Patel");
        var page = await OpenAppAsync();
        await page.EvaluateAsync("""
            ([url, token]) => {
              addEventListener('pagehide', () => client.event('tab_closed', { during: 'call' }));
              sdkTest.connect({ url, token, presence: true });
            }
            """, new[] { Server, token });
        var participant = await ParticipantIdAsync("sdk-close", "dev");

        await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });

        var events = await PollAsync(
            async () => await EventsAsync(participant) is var all
                && all.Any(e => e.GetProperty("type").GetString() == "tab_closed")
                && all.Any(e => e.GetProperty("type").GetString() == "participant_left") ? all : null,
            TimeSpan.FromSeconds(15),
            "tab_closed and participant_left events");
        Assert.Equal("call", events.First(e => e.GetProperty("type").GetString() == "tab_closed").GetProperty("data").GetProperty("during").GetString());
        AssertBeaconCarried("tab_closed");
    }

    [Fact]
    public async Task A_foreign_origin_gets_no_cors_grant_and_its_events_never_arrive_while_the_allowed_origin_s_do()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var foreignToken = await ClientTokenAsync("sdk-origins", "eve", "Eve");
        var allowedToken = await ClientTokenAsync("sdk-origins", "finn", "Finn");
        var foreign = await OpenAppAsync(Origins.ForeignOrigin);
        var allowed = await OpenAppAsync(Origins.AppOrigin);

        await ConnectAsync(foreign, foreignToken, new { presence = true });
        await foreign.EvaluateAsync("() => client.event('origin_check', { origin: location.origin })");
        await ConnectAsync(allowed, allowedToken, new { presence = true });
        await allowed.EvaluateAsync("() => client.event('origin_check', { origin: location.origin })");

        // The allowed origin's events arrive, and its answers grant it the read.
        var finn = await ParticipantIdAsync("sdk-origins", "finn");
        var check = await PollAsync(
            async () => (await EventsAsync(finn)).Where(e => e.GetProperty("type").GetString() == "origin_check")
                .Select(e => new Box<JsonElement>(e)).FirstOrDefault(),
            TimeSpan.FromSeconds(15),
            "origin_check event from the allowed origin");
        Assert.Equal(Origins.AppOrigin, check.Value.GetProperty("data").GetProperty("origin").GetString());
        Assert.Contains(Ingest.Requests, r => r is { Method: "POST", Status: 202 } && r.Origin == Origins.AppOrigin && r.AllowOrigin == Origins.AppOrigin);

        // The foreign page's preflight is answered with no grant, so its browser never sends the events.
        var preflight = await PollAsync(
            () => Task.FromResult(Ingest.Requests.FirstOrDefault(r => r.Method == "OPTIONS" && r.Origin == Origins.ForeignOrigin)),
            TimeSpan.FromSeconds(15),
            "preflight from the foreign origin");
        Assert.Null(preflight.AllowOrigin);
        await Expect(foreign.Locator("html")).ToHaveAttributeAsync("data-sdk", "loaded");
        Assert.True(
            await foreign.EvaluateAsync<bool>("() => fetch(document.querySelector('script[src]').src.replace('/sdk/callscope.js', '/api/v1/ingest/client'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then(() => false, () => true)"),
            "the foreign page could read an answer of the ingest endpoint");

        // A beacon needs no preflight, so the foreign page's page-hide beacon reaches the server, which refuses it by its
        // Origin: nothing of the foreign page is stored.
        await foreign.GotoAsync(Origins.ForeignOrigin + "/goodbye");
        // The page may send more than one beacon (on hiding and on page hide); the one with the queued event must come.
        var beacon = await PollAsync(
            () => Task.FromResult(Ingest.Requests.FirstOrDefault(r => r is { Method: "POST", TokenInQuery: true } && r.Origin == Origins.ForeignOrigin
                && r.Body.Contains("origin_check", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(15),
            "beacon from the foreign origin with its queued event");
        Assert.Equal(403, beacon.Status);
        await SettleAsync();
        Assert.All(Ingest.Requests.Where(r => r is { Method: "POST", TokenInQuery: true } && r.Origin == Origins.ForeignOrigin), r => Assert.Equal(403, r.Status));

        Assert.DoesNotContain("eve", await RoomParticipantsAsync("sdk-origins"));
        Assert.DoesNotContain(Ingest.Requests, r => r.Origin == Origins.ForeignOrigin && r.Status == 202);
        // Its browser never sent the SDK's fetches at all, only the beacon.
        Assert.DoesNotContain(Ingest.Requests, r => r is { Method: "POST", TokenInQuery: false } && r.Origin == Origins.ForeignOrigin);
    }

    [Fact]
    public async Task A_call_that_loses_a_fifth_of_its_media_packets_raises_high_packet_loss()
    {
        await AllowOriginsAsync(Origins.AppOrigin);
        var token = await ClientTokenAsync("sdk-lossy", "gus", "Gus Lind");
        var page = await OpenAppAsync();
        using var relay = new LossyRelay(0.2);
        await page.ExposeFunctionAsync("startRelay", (string ip, int port) =>
        {
            relay.Start(new IPEndPoint(IPAddress.Parse(ip), port));
            return relay.Port;
        });

        // A sample a second, so the detector's window of 7 samples fills in seconds; the thresholds are the defaults.
        await ConnectAsync(page, token, new { presence = true, sampleInterval = 1000 });
        await page.EvaluateAsync("() => sdkTest.call('gus-laptop', true)");

        var participant = await ParticipantIdAsync("sdk-lossy", "gus");
        var issue = await PollAsync(
            async () => (await IssuesAsync(participant)).Where(i => i.GetProperty("kind").GetString() == "high_packet_loss")
                .Select(i => new Box<JsonElement>(i)).FirstOrDefault(),
            TimeSpan.FromSeconds(45),
            "high_packet_loss issue");

        var evidence = issue.Value.GetProperty("evidence");
        Log($"relay forwarded {relay.Forwarded} packets and dropped {relay.Dropped}; issue evidence: {evidence}");
        Assert.Equal("packet_loss_pct", evidence.GetProperty("metric").GetString());
        Assert.InRange(evidence.GetProperty("worst").GetDouble(), 3.0001, 100);
        Assert.Equal("gus-laptop", issue.Value.GetProperty("connection_id").GetString());
        Assert.True(relay.Dropped > 0 && relay.Forwarded > relay.Dropped, $"relay forwarded {relay.Forwarded}, dropped {relay.Dropped}");
    }

    /// <summary>A beacon (token in the query, a text/plain body) carried the event type, and the server took it.</summary>
    private void AssertBeaconCarried(string type) =>
        Assert.Contains(Ingest.Requests, r => r is { Method: "POST", TokenInQuery: true, Status: 202 }
            && r.ContentType?.StartsWith("text/plain", StringComparison.Ordinal) == true
            && r.Body.Contains($"\"{type}\"", StringComparison.Ordinal)
            && r.Body.Contains("\"participant_left\"", StringComparison.Ordinal));

    private static double? Number(JsonElement e, string member) =>
        e.GetProperty("data") is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : null;

    /// <summary>A found value as a reference, for <see cref="BrowserSdkTest.PollAsync{T}"/>.</summary>
    private sealed record Box<T>(T Value);
}
