using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Callscope.Server.Tests.Browser.BrowserClient;

namespace Callscope.Server.Tests.Browser;

/// <summary>
/// Browser ingest with client tokens: the token decides the room and the participant, events for anyone else are
/// refused and nothing of their batch is stored, a bad token is a 401 and never a 500, and a retried batch counts once.
/// </summary>
public sealed class ClientIngestTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(-5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_without_room_or_identity_land_in_the_tokens_room_as_its_participant()
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app, role: "attendee");

        var response = await SendAsync(app, token, Batch(
            Event("participant_joined", T, new { client = new { sdk = "callscope-web/0.1.0" } }),
            Event("quality_sample", T.AddSeconds(5), new { rtt_ms = 42.5, bitrate_up_kbps = 800, candidate_type = "host" })));

        var body = await ApiAssert.OkAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        var api = app.Api();
        var ana = await ParticipantAsync(api, "browser-call", "ana");
        Assert.Equal("Ana", ana.GetProperty("participant_name").GetString());
        Assert.Equal("attendee", ana.GetProperty("role").GetString());
        var log = await LogAsync(api, "browser-call", "ana");
        var sample = Assert.Single(log, e => e.GetProperty("type").GetString() == "quality_sample");
        Assert.Equal(42.5, sample.GetProperty("data").GetProperty("rtt_ms").GetDouble());
    }

    [Fact]
    public async Task A_retried_batch_counts_once()
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app);
        var batch = Batch(Event("participant_joined", T, id: "c1-1"), Event("network_offline", T.AddSeconds(1), id: "c1-2"));

        var first = await ApiAssert.OkAsync(await SendAsync(app, token, batch));
        var again = await ApiAssert.OkAsync(await SendAsync(app, token, batch));

        Assert.Equal((2, 0), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((0, 2), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal(2, (await LogAsync(app.Api(), "browser-call", "ana")).Count);
    }

    [Fact]
    public async Task A_browsers_event_ids_are_its_own_and_cannot_take_another_participants()
    {
        await using var app = new CallscopeApp();
        var ana = await TokenAsync(app, identity: "ana");
        var noah = await TokenAsync(app, identity: "noah", name: "Noah");

        await ApiAssert.OkAsync(await SendAsync(app, ana, Batch(Event("participant_joined", T, id: "same-id", connection: "ana-pc"))));
        var second = await ApiAssert.OkAsync(await SendAsync(app, noah, Batch(Event("participant_joined", T, id: "same-id", connection: "noah-pc"))));

        // The same id from another participant is another event, not a duplicate of Ana's.
        Assert.Equal(1, second.GetProperty("accepted").GetInt32());
        var api = app.Api();
        Assert.Single(await LogAsync(api, "browser-call", "noah"));
        Assert.Single(await LogAsync(api, "browser-call", "ana"));
    }

    public static TheoryData<string, string> OutOfScope => new()
    {
        { "another room", """{"id":"x","type":"app_error","timestamp":"2026-11-25T09:55:00Z","room":{"friendly_url":"other-room"}}""" },
        { "a room id", """{"id":"x","type":"app_error","timestamp":"2026-11-25T09:55:00Z","room":{"id":"0b9d3c52-8f0e-4c59-a2c6-1f1e7d2f0a11"}}""" },
        { "another participant", """{"id":"x","type":"app_error","timestamp":"2026-11-25T09:55:00Z","participant":{"external_id":"mallory"}}""" },
        { "the end of the session", """{"id":"x","type":"session_ended","timestamp":"2026-11-25T09:55:00Z"}""" },
        { "a recording", """{"id":"x","type":"recording_started","timestamp":"2026-11-25T09:55:00Z"}""" },
    };

    [Theory]
    [MemberData(nameof(OutOfScope))]
    public async Task An_event_for_anyone_else_is_refused_and_nothing_of_its_batch_is_stored(string what, string outOfScope)
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app);
        var good = JsonSerializer.Serialize(Event("participant_joined", T));
        using var content = new StringContent($$"""{"events":[{{good}},{{outOfScope}}]}""", Encoding.UTF8, "application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, IngestPath) { Content = content };
        message.Headers.Authorization = new("Bearer", token);

        var problem = await ApiAssert.ProblemAsync(await app.CreateClient().SendAsync(message, Ct), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(1, problem.GetProperty("errors")[0].GetProperty("index").GetInt32());
        var sessions = await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions");
        Assert.True(sessions.GetProperty("total_count").GetInt32() == 0, $"{what}: {sessions}");
    }

    [Fact]
    public async Task The_tokens_room_and_identity_may_be_named_and_the_events_rules_still_hold()
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app);
        var named = new
        {
            id = "n-1", type = "participant_joined", timestamp = "2026-11-25T09:55:00Z",
            room = new { friendly_url = "browser-call" }, participant = new { external_id = "ana", connection_id = "pc-1" },
        };
        await ApiAssert.OkAsync(await SendAsync(app, token, Batch(named)));

        var invalid = await SendAsync(app, token, Batch(Event("quality_sample", T, new { packet_loss_pct = 140 })));
        var problem = await ApiAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal("data.packet_loss_pct", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    public static TheoryData<string> Garbled => new()
    {
        "",
        "not-a-token",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJpc3MiOiJjYWxsc2NvcGUiLCJzdWIiOiJhbmEiLCJyb29tIjoiYnJvd3Nlci1jYWxsIiwiZXhwIjo5OTk5OTk5OTk5fQ.",
        "eyJhbGciOiJIUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJjYWxsc2NvcGUiLCJleHAiOjk5OTk5OTk5OTl9.c2ln",
        new string('x', 20_000),
    };

    [Theory]
    [MemberData(nameof(Garbled))]
    public async Task A_garbled_or_unsigned_token_is_401_and_nothing_is_stored(string token)
    {
        await using var app = new CallscopeApp();

        var response = await SendAsync(app, token.Length == 0 ? null : token, Batch(Event("participant_joined", T)));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, (await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_token_is_refused_once_it_expires_or_is_altered_or_the_developer_key_is_replaced()
    {
        await using var app = new CallscopeApp();
        var shortLived = await TokenAsync(app, ttl: 60);
        var token = await TokenAsync(app);
        await ApiAssert.OkAsync(await SendAsync(app, shortLived, Batch(Event("participant_joined", T))));

        // A changed claim breaks the signature: the browser cannot move itself to another room.
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))).Replace("browser-call", "other-call", StringComparison.Ordinal);
        var altered = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        await ApiAssert.ProblemAsync(await SendAsync(app, altered, Batch(Event("app_error", T))), HttpStatusCode.Unauthorized, "unauthorized");

        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await ApiAssert.ProblemAsync(await SendAsync(app, shortLived, Batch(Event("app_error", T))), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.OkAsync(await SendAsync(app, token, Batch(Event("app_error", T))));

        app.Services.GetRequiredService<TeamStore>().RotateKey(app.TeamId, "a-new-developer-key-0000000000000000");
        await ApiAssert.ProblemAsync(await SendAsync(app, token, Batch(Event("app_error", T))), HttpStatusCode.Unauthorized, "unauthorized");
        var fresh = await TokenAsync(app, key: "a-new-developer-key-0000000000000000");
        await ApiAssert.OkAsync(await SendAsync(app, fresh, Batch(Event("app_error", T))));
    }

    [Fact]
    public async Task A_token_signed_by_another_team_cannot_write_into_this_one()
    {
        await using var app = new CallscopeApp();
        var (_, otherKey) = app.CreateTeam("Other");
        var theirs = await TokenAsync(app, key: otherKey);

        await ApiAssert.OkAsync(await SendAsync(app, theirs, Batch(Event("participant_joined", T))));

        Assert.Equal(0, (await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
        Assert.Equal(1, (await ApiAssert.GetAsync(app.Api(otherKey), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_beacon_sends_its_token_in_the_query_and_plain_text()
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app);
        var json = JsonSerializer.Serialize(Batch(Event("participant_joined", T), Event("page_hidden", T.AddSeconds(3))));
        using var content = new StringContent(json, Encoding.UTF8, "text/plain");

        var response = await app.CreateClient().PostAsync($"{IngestPath}?access_token={Uri.EscapeDataString(token)}", content, Ct);

        Assert.Equal(2, (await ApiAssert.OkAsync(response)).GetProperty("accepted").GetInt32());
        Assert.Contains(await LogAsync(app.Api(), "browser-call", "ana"), e => e.GetProperty("type").GetString() == "page_hidden");
    }

    [Fact]
    public async Task Naming_another_participants_connection_does_not_put_an_event_in_their_log()
    {
        await using var app = new CallscopeApp();
        var ana = await TokenAsync(app, identity: "ana");
        var mallory = await TokenAsync(app, identity: "mallory", name: "Mallory");
        await ApiAssert.OkAsync(await SendAsync(app, ana, Batch(Event("participant_joined", T, connection: "ana-pc"))));

        await ApiAssert.OkAsync(await SendAsync(app, mallory, Batch(
            Event("participant_joined", T, connection: "mallory-pc"),
            Event("media_permissions_failed", T.AddSeconds(5), new { code = "NotAllowedError", device = "camera" }, connection: "ana-pc"))));

        var api = app.Api();
        Assert.DoesNotContain(await LogAsync(api, "browser-call", "ana"), e => e.GetProperty("type").GetString() == "media_permissions_failed");
        Assert.Contains(await LogAsync(api, "browser-call", "mallory"), e => e.GetProperty("type").GetString() == "media_permissions_failed");
    }

    [Fact]
    public async Task The_developer_key_is_not_a_client_token()
    {
        await using var app = new CallscopeApp();

        var response = await SendAsync(app, CallscopeApp.DeveloperKey, Batch(Event("participant_joined", T)));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - (text.Length % 4)) % 4);
    }
}
