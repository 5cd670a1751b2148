using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>
/// A genuine, correctly signed webhook still goes through the rules native ingest applies: what native ingest refuses
/// (over-long or control-character names and identities, reserved room names, malformed event types) the LiveKit path
/// refuses too, with a 400 problem naming the field, and stores nothing.
/// </summary>
public sealed class LiveKitWebhookValidationTests
{
    public static TheoryData<string, string> Refused => new()
    {
        { "room-name-too-long", "room.friendly_url" },
        { "room-name-with-nul", "room.friendly_url" },
        { "room-name-with-control", "room.friendly_url" },
        { "room-name-reserved", "room.friendly_url" },
        { "room-name-with-slash", "room.friendly_url" },
        { "room-name-like-an-id", "room.friendly_url" },
        { "identity-too-long", "participant.external_id" },
        { "identity-with-nul", "participant.external_id" },
        { "connection-with-control", "participant.connection_id" },
        { "weird-event-type", "type" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_signed_webhook_whose_event_native_ingest_would_refuse_gets_400_and_nothing_is_stored(string name, string field)
    {
        var scenario = WebhookScenario.Load("invalid-content");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        var request = scenario[name];
        app.MoveClockTo(request.SentAt);

        using var response = await app.PostWebhookAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("validation-failed", problem.GetProperty("error").GetString());
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
        Assert.Equal(0, app.StoredEvents().Count);
        Assert.Equal(0, (await app.GetJsonAsync("/api/v1/rooms")).GetProperty("total_count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Native_ingest_refuses_the_same_event(string name, string field)
    {
        var scenario = WebhookScenario.Load("invalid-content");
        var body = JsonDocument.Parse(scenario[name].Body).RootElement;
        var room = body.GetProperty("room").GetProperty("name").GetString();
        var participant = body.TryGetProperty("participant", out var p) ? p : (JsonElement?)null;
        var native = new
        {
            id = body.GetProperty("id").GetString(),
            type = body.GetProperty("event").GetString(),
            timestamp = "2026-11-25T10:00:02Z",
            room = new { friendly_url = room },
            participant = participant is { } who
                ? new { external_id = who.GetProperty("identity").GetString(), connection_id = who.GetProperty("sid").GetString() }
                : null,
        };
        await using var app = new CallscopeApp();

        using var response = await app.Api().PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(native), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        if (problem.GetProperty("error").GetString() == "validation-failed")
        {
            Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
        }
        else
        {
            // A NUL never gets as far as the rules on the native path: no JSON body may carry one at all.
            Assert.Contains("nul", name, StringComparison.Ordinal);
            Assert.Equal("malformed-json", problem.GetProperty("error").GetString());
        }

        Assert.Equal(0, app.StoredEvents().Count);
    }
}
