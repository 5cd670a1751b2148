using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Data.LiveKit;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>Ending a session of a LiveKit room asks the team's LiveKit server to delete the room.</summary>
public sealed class DeleteRoomTests
{
    private const string AllowPrivateNetworks = "Callscope:Outbound:AllowPrivateNetworks";
    private static readonly DateTimeOffset EndAt = CallscopeApp.Start.AddSeconds(2);

    [Fact]
    public async Task Ending_a_LiveKit_session_deletes_the_room_with_a_token_LiveKit_itself_accepts()
    {
        var call = WebhookScenario.Load("full-call");
        await using var livekit = await RoomServiceStandIn.StartAsync(call, EndAt);
        await using var app = await LiveCallAsync(call, livekit.Url);

        var ended = await EndTheSessionAsync(app);

        Assert.Equal("ended", ended.GetProperty("status").GetString());
        var request = await livekit.NextCallAsync();
        Assert.Equal("DeleteRoom", request.GetProperty("method").GetString());
        Assert.Equal("weekly-sync", request.GetProperty("room").GetString());
        Assert.True(request.GetProperty("verified").GetBoolean());
        Assert.Equal(call.ApiKey, request.GetProperty("iss").GetString());
        var grant = request.GetProperty("video");
        Assert.True(grant.GetProperty("roomCreate").GetBoolean());
        Assert.True(grant.GetProperty("roomAdmin").GetBoolean());
        Assert.Equal("weekly-sync", grant.GetProperty("room").GetString());
        Assert.Equal(200, request.GetProperty("status").GetInt32());

        var outcome = await OutcomeAsync(app);
        Assert.True(outcome["ok"]!.GetValue<bool>());
        Assert.Equal(200, outcome["status"]!.GetValue<int>());
        Assert.Equal(ended.GetProperty("session_id").GetString(), outcome["session_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_room_with_a_live_LiveKit_session_also_deletes_the_LiveKit_room()
    {
        var call = WebhookScenario.Load("full-call");
        await using var livekit = await RoomServiceStandIn.StartAsync(call, EndAt);
        await using var app = await LiveCallAsync(call, livekit.Url);
        var room = (await app.GetJsonAsync("/api/v1/rooms/weekly-sync")).GetProperty("id").GetString();

        var deleted = await app.Api().DeleteAsync($"/api/v1/rooms/{room}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var request = await livekit.NextCallAsync();
        Assert.Equal("weekly-sync", request.GetProperty("room").GetString());
        Assert.True(request.GetProperty("verified").GetBoolean());
        var log = await app.GetJsonAsync($"/api/v1/rooms/{room}/events?type=livekit_delete_room");
        Assert.True(log.GetProperty("data")[0].GetProperty("data").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_LiveKit_server_that_fails_twice_is_asked_again_until_the_room_is_deleted()
    {
        var call = WebhookScenario.Load("full-call");
        await using var livekit = await RoomServiceStandIn.StartAsync(call, EndAt, failFirst: 2);
        await using var app = await LiveCallAsync(call, livekit.Url);

        await EndTheSessionAsync(app);

        var statuses = new List<int>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            statuses.Add((await livekit.NextCallAsync()).GetProperty("status").GetInt32());
        }

        Assert.Equal([503, 503, 200], statuses);
        Assert.True((await OutcomeAsync(app))["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_LiveKit_server_that_keeps_failing_is_asked_a_bounded_number_of_times_and_the_session_ends_anyway()
    {
        var call = WebhookScenario.Load("full-call");
        await using var livekit = await RoomServiceStandIn.StartAsync(call, EndAt, failFirst: 100, failStatus: 500);
        await using var app = await LiveCallAsync(call, livekit.Url);

        var ended = await EndTheSessionAsync(app);

        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal("api", ended.GetProperty("end_reason").GetString());
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal(500, (await livekit.NextCallAsync()).GetProperty("status").GetInt32());
        }

        var outcome = await OutcomeAsync(app);
        Assert.False(outcome["ok"]!.GetValue<bool>());
        Assert.Equal(500, outcome["status"]!.GetValue<int>());
        Assert.Equal("unavailable", outcome["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unreachable_LiveKit_server_is_recorded_and_the_session_ends_anyway()
    {
        var call = WebhookScenario.Load("full-call");
        await using var app = await LiveCallAsync(call, ClosedPort());

        var ended = await EndTheSessionAsync(app);

        Assert.Equal("ended", ended.GetProperty("status").GetString());
        var outcome = await OutcomeAsync(app);
        Assert.False(outcome["ok"]!.GetValue<bool>());
        Assert.Null(outcome["status"]);
        Assert.Equal("unreachable", outcome["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nothing_is_asked_of_LiveKit_without_a_server_url_or_for_a_room_LiveKit_never_reported()
    {
        var call = WebhookScenario.Load("full-call");
        await using var withoutUrl = await LiveCallAsync(call, serverUrl: null);
        await EndTheSessionAsync(withoutUrl);
        Assert.DoesNotContain(await withoutUrl.RoomLogAsync("weekly-sync"), e => e.Type == "livekit_delete_room");

        // Had the hook called this server, its failure would be in the room's log.
        await using var native = new CallscopeApp();
        native.Settings["Callscope:LiveKit:DeleteRoomRetryDelay"] = "00:00:00";
        native.Settings[AllowPrivateNetworks] = "true";
        await native.ConnectLiveKitAsync(call, ClosedPort());
        await Events.PostAsync(native.Api(), Events.Joined("native-room", "dana", CallscopeApp.Start));
        await EndTheSessionAsync(native);
        Assert.DoesNotContain(await native.RoomLogAsync("native-room"), e => e.Type == "livekit_delete_room");
    }

    [Fact]
    public async Task A_server_url_that_reaches_a_private_address_is_refused_when_connecting_and_nothing_is_sent()
    {
        // A URL stored before the check at saving existed, or a private network no longer allowed by the operator.
        var call = WebhookScenario.Load("full-call");
        await using var server = CannedHttpServer.Answering("HTTP/1.1 200 OK", "{}"u8.ToArray());
        await using var app = await LiveCallAsync(call, serverUrl: null, allowPrivateNetworks: false);
        var store = app.Services.GetRequiredService<LiveKitIntegrationStore>();
        store.Save(store.ForTeam(app.TeamId)! with { ServerUrl = server.Url.ToString() });

        var ended = await EndTheSessionAsync(app);

        Assert.Equal("ended", ended.GetProperty("status").GetString());
        var outcome = await OutcomeAsync(app);
        Assert.False(outcome["ok"]!.GetValue<bool>());
        Assert.Null(outcome["status"]);
        Assert.Equal("address_refused", outcome["error"]!.GetValue<string>());
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_redirect_is_recorded_as_such_and_not_followed()
    {
        var call = WebhookScenario.Load("full-call");
        await using var server = CannedHttpServer.Answering("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://169.254.169.254/latest/meta-data");
        await using var app = await LiveCallAsync(call, server.Url);

        await EndTheSessionAsync(app);

        var outcome = await OutcomeAsync(app);
        Assert.False(outcome["ok"]!.GetValue<bool>());
        Assert.Equal(307, outcome["status"]!.GetValue<int>());
        Assert.Equal("redirect", outcome["error"]!.GetValue<string>());
        Assert.Equal(1, server.Requests);
    }

    [Theory]
    [InlineData("not_found", "not_found")]
    [InlineData("no_such_twirp_code", null)]
    [InlineData("<2 MB>", null)]
    public async Task Only_the_status_and_a_known_Twirp_error_code_of_an_answer_are_kept(string code, string? kept)
    {
        var call = WebhookScenario.Load("full-call");
        var text = code == "<2 MB>" ? new string('x', 2 * 1024 * 1024) : code;
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"code":"{{text}}","msg":"room {{new string('m', 100)}} not found"}""");
        await using var server = CannedHttpServer.Answering("HTTP/1.1 404 Not Found\r\nContent-Type: application/json", body);
        await using var app = await LiveCallAsync(call, server.Url);

        await EndTheSessionAsync(app);

        var outcome = await OutcomeAsync(app);
        Assert.Equal(404, outcome["status"]!.GetValue<int>());
        Assert.Equal(kept, outcome["error"]?.GetValue<string>());
        Assert.True(outcome.ToJsonString().Length < 300, outcome.ToJsonString());
        Assert.DoesNotContain("mmmm", app.StoredEvents().AllData, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task An_endless_answer_is_read_no_further_than_a_few_KiB_and_the_session_ends()
    {
        var call = WebhookScenario.Load("full-call");
        await using var server = CannedHttpServer.Endless(409);
        await using var app = await LiveCallAsync(call, server.Url);

        var ended = await EndTheSessionAsync(app);

        Assert.Equal("ended", ended.GetProperty("status").GetString());
        var outcome = await OutcomeAsync(app);
        Assert.Equal(409, outcome["status"]!.GetValue<int>());
        Assert.Null(outcome["error"]);
    }

    /// <summary>A team whose LiveKit server reported a room start and Alice's join, at the time the session will be ended.</summary>
    private static async Task<CallscopeApp> LiveCallAsync(WebhookScenario call, Uri? serverUrl, bool allowPrivateNetworks = true)
    {
        var app = new CallscopeApp();
        app.Settings["Callscope:LiveKit:DeleteRoomRetryDelay"] = "00:00:00";

        // The stand-ins listen on loopback, which only an operator's setting lets outbound requests reach.
        app.Settings[AllowPrivateNetworks] = allowPrivateNetworks ? "true" : "false";
        await app.ConnectLiveKitAsync(call, serverUrl);
        await app.DeliverAllAsync(call.Requests.Take(2));
        app.MoveClockTo(EndAt);
        return app;
    }

    private static async Task<JsonElement> EndTheSessionAsync(CallscopeApp app)
    {
        var session = (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("data")[0].GetProperty("id").GetString();
        var response = await app.Api().PostAsync($"/api/v1/sessions/{session}/end", null, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"ending answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private static async Task<JsonObject> OutcomeAsync(CallscopeApp app)
    {
        var record = (await app.RoomLogAsync("weekly-sync")).Single(e => e.Type == "livekit_delete_room");
        Assert.Equal(EndAt, record.Timestamp);
        return record.Data;
    }

    /// <summary>A loopback port nothing listens on: taken from the OS, then released.</summary>
    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
