using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.LiveKit;
using static Callscope.Server.Tests.Browser.BrowserClient;

namespace Callscope.Server.Tests.Browser;

/// <summary>
/// A LiveKit app's browsers send with the participant's own LiveKit access token (made by livekit-server-sdk's
/// AccessToken in tests/livekit-webhooks): no extra backend. Identity from <c>sub</c>, room from the video grant,
/// checked with the secret of the team's LiveKit integration; presence stays LiveKit's webhooks'.
/// </summary>
public sealed class LiveKitClientTokenTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(-5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_participants_LiveKit_token_writes_as_that_identity_in_that_room()
    {
        await using var app = new CallscopeApp();
        var tokens = await ConnectAsync(app);
        await Events.PostAsync(app.Api(), Events.Joined("browser-call", "ana", T, connection: "PA_ana"));

        var response = await SendAsync(app, tokens.Token("valid"), Batch(
            Event("quality_sample", T.AddSeconds(5), new { rtt_ms = 120, packet_loss_pct = 1.5 }, connection: "PA_ana"),
            Event("participant_reconnecting", T.AddSeconds(10), connection: "PA_ana")));

        Assert.Equal(2, (await ApiAssert.OkAsync(response)).GetProperty("accepted").GetInt32());
        var log = await LogAsync(app.Api(), "browser-call", "ana");
        Assert.Contains(log, e => e.GetProperty("type").GetString() == "quality_sample");
        Assert.Contains(log, e => e.GetProperty("type").GetString() == "participant_reconnecting");
    }

    [Fact]
    public async Task A_token_signed_with_another_secret_is_401()
    {
        await using var app = new CallscopeApp();
        var tokens = await ConnectAsync(app);

        var response = await SendAsync(app, tokens.Token("wrong_secret"), Batch(Event("app_note", T)));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, (await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Without_the_integration_or_a_room_grant_or_once_expired_the_token_is_401()
    {
        await using var app = new CallscopeApp();
        var tokens = AccessTokens.Load();
        await ApiAssert.ProblemAsync(await SendAsync(app, tokens.Token("valid"), Batch(Event("app_note", T))), HttpStatusCode.Unauthorized, "unauthorized");

        await ConnectAsync(app);
        await ApiAssert.ProblemAsync(await SendAsync(app, tokens.Token("no_room"), Batch(Event("app_note", T))), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.OkAsync(await SendAsync(app, tokens.Token("short_lived"), Batch(Event("app_note", T))));
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        await ApiAssert.ProblemAsync(await SendAsync(app, tokens.Token("short_lived"), Batch(Event("app_note", T))), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Presence_stays_with_LiveKits_webhooks_and_other_identities_are_refused()
    {
        await using var app = new CallscopeApp();
        var tokens = await ConnectAsync(app);
        var other = new { id = "x", type = "app_note", timestamp = "2026-11-25T09:55:00Z", participant = new { external_id = "noah" } };

        var joined = await SendAsync(app, tokens.Token("valid"), Batch(Event("participant_joined", T)));
        var asNoah = await SendAsync(app, tokens.Token("valid"), Batch(other));

        await ApiAssert.ProblemAsync(joined, HttpStatusCode.Forbidden, "forbidden");
        await ApiAssert.ProblemAsync(asNoah, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, (await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
    }

    private static async Task<AccessTokens> ConnectAsync(CallscopeApp app)
    {
        var tokens = AccessTokens.Load();
        var response = await app.Api().PutAsJsonAsync("/api/v1/integrations/livekit", new { api_key = tokens.ApiKey, api_secret = tokens.ApiSecret }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return tokens;
    }

    /// <summary>out/access-tokens.json of tests/livekit-webhooks: genuine LiveKit access tokens issued at the tests' start.</summary>
    private sealed record AccessTokens(string ApiKey, string ApiSecret, IReadOnlyDictionary<string, string> Tokens)
    {
        public string Token(string name) => Tokens[name];

        public static AccessTokens Load()
        {
            var file = Path.Combine(NodeTools.WebhooksFolder, "out", "access-tokens.json");
            Assert.True(File.Exists(file), $"{file} is missing: run 'npm ci && node generate.mjs' in tests/livekit-webhooks.");
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = document.RootElement;
            Assert.Equal(CallscopeApp.Start, DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("start").GetInt64()));
            return new AccessTokens(root.GetProperty("api_key").GetString()!, root.GetProperty("api_secret").GetString()!,
                root.GetProperty("tokens").EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString()!));
        }
    }
}
