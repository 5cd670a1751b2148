using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>The webhook token is the only way in: checked as LiveKit's Go receiver checks it, before the body is read.</summary>
public sealed class LiveKitWebhookAuthTests
{
    public static TheoryData<string> Refused => new()
    {
        "wrong-secret",
        "tampered-body",
        "expired",
        "unknown-key",
        "hs512",
        "no-expiry",
        "no-authorization",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_webhook_that_is_not_genuine_gets_401_and_nothing_is_stored(string name)
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        var request = scenario[name];
        app.MoveClockTo(request.SentAt);

        using var response = await app.PostWebhookAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("unauthorized", problem.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("message").GetString()));
        Assert.Equal(0, app.StoredEvents().Count);
        Assert.Equal(0, (await app.GetJsonAsync("/api/v1/rooms")).GetProperty("total_count").GetInt32());
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("bearer-prefix")]
    [InlineData("expired-within-leeway")]
    public async Task A_genuine_webhook_is_taken_even_with_a_Bearer_prefix_or_within_a_minute_past_its_expiry(string name)
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);

        var answer = await app.DeliverAsync(scenario[name]);

        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(1, app.StoredEvents().Count);
    }

    [Fact]
    public async Task A_webhook_is_refused_once_the_team_disconnects_its_LiveKit_server()
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api().DeleteAsync("/api/v1/integrations/livekit", TestContext.Current.CancellationToken)).StatusCode);
        app.MoveClockTo(scenario["valid"].SentAt);

        using var response = await app.PostWebhookAsync(scenario["valid"]);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, app.StoredEvents().Count);
    }

    [Fact]
    public async Task A_webhook_lands_in_the_team_whose_key_signed_it_and_no_other()
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        var other = app.CreateTeam("Other team");
        await app.ConnectLiveKitAsync(scenario, developerKey: other.Key);

        await app.DeliverAsync(scenario["valid"]);

        Assert.Equal(0, (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("total_count").GetInt32());
        var theirs = await app.Api(other.Key).GetFromJsonAsync<JsonElement>("/api/v1/sessions", TestContext.Current.CancellationToken);
        Assert.Equal(1, theirs.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_signed_body_that_is_not_a_LiveKit_event_gets_400_and_nothing_is_stored()
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        var body = "[\"not\", \"an event\"]"u8.ToArray();
        var request = new WebhookRequest("not-an-event", "none", "none", CallscopeApp.Start, body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/webhook+json",
            ["Authorization"] = LiveKitSignature.Sign(scenario.ApiKey, scenario.ApiSecret, body, CallscopeApp.Start),
        });

        using var response = await app.PostWebhookAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("malformed-json", problem.GetProperty("error").GetString());
        Assert.Equal(0, app.StoredEvents().Count);
    }

    [Fact]
    public async Task A_body_over_a_mebibyte_gets_413_and_nothing_is_stored()
    {
        var scenario = WebhookScenario.Load("rejections");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        var body = new byte[(1024 * 1024) + 1];
        var request = new WebhookRequest("too-large", "none", "none", CallscopeApp.Start, body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/webhook+json",
            ["Authorization"] = LiveKitSignature.Sign(scenario.ApiKey, scenario.ApiSecret, body, CallscopeApp.Start),
        });

        using var response = await app.PostWebhookAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("payload-too-large", problem.GetProperty("error").GetString());
        Assert.Equal(0, app.StoredEvents().Count);
    }
}
