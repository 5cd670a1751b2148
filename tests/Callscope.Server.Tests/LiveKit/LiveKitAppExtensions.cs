using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Data;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>Connecting a LiveKit key to the test team, delivering webhooks at their sending time, and reading back.</summary>
public static class LiveKitAppExtensions
{
    public static async Task ConnectLiveKitAsync(this CallscopeApp app, WebhookScenario scenario, Uri? serverUrl = null, string developerKey = CallscopeApp.DeveloperKey)
    {
        var response = await app.Api(developerKey).PutAsJsonAsync("/api/v1/integrations/livekit",
            new { api_key = scenario.ApiKey, api_secret = scenario.ApiSecret, server_url = serverUrl?.ToString() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Moves the clock forward to <paramref name="at"/> (never back).</summary>
    public static void MoveClockTo(this CallscopeApp app, DateTimeOffset at)
    {
        if (at > app.Clock.GetUtcNow())
        {
            app.Clock.SetUtcNow(at);
        }
    }

    public static async Task<HttpResponseMessage> PostWebhookAsync(this CallscopeApp app, WebhookRequest request)
    {
        using var message = request.ToHttp();
        return await app.CreateClient().SendAsync(message, TestContext.Current.CancellationToken);
    }

    /// <summary>Delivers a webhook (at its sending time unless the clock is already later) and expects it to be taken.</summary>
    public static async Task<JsonElement> DeliverAsync(this CallscopeApp app, WebhookRequest request, bool atSendingTime = true)
    {
        if (atSendingTime)
        {
            app.MoveClockTo(request.SentAt);
        }

        using var response = await app.PostWebhookAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{request} was answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public static async Task DeliverAllAsync(this CallscopeApp app, IEnumerable<WebhookRequest> requests)
    {
        foreach (var request in requests)
        {
            Assert.Equal(1, (await app.DeliverAsync(request)).GetProperty("accepted").GetInt32());
        }
    }

    public static async Task<JsonElement> GetJsonAsync(this CallscopeApp app, string path) =>
        await app.Api().GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    /// <summary>A room's events log as the API shows it, oldest first (room-level events included).</summary>
    public static async Task<IReadOnlyList<LoggedEvent>> RoomLogAsync(this CallscopeApp app, string friendlyUrl) =>
        [.. (await app.GetJsonAsync($"/api/v1/rooms/{friendlyUrl}/events?limit=100")).GetProperty("data").EnumerateArray().Select(e => new LoggedEvent(
            e.GetProperty("id").GetString()!,
            e.GetProperty("type").GetString()!,
            DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            JsonNode.Parse(e.GetProperty("data").GetRawText()) as JsonObject ?? []))];

    /// <summary>What the store holds of the events table, read directly: nothing may slip past the API's view of it.</summary>
    public static (long Count, string AllData) StoredEvents(this CallscopeApp app)
    {
        using DbConnection connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM events";
        var total = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        using var data = connection.CreateCommand();
        data.CommandText = "SELECT data FROM events WHERE data IS NOT NULL";
        using var reader = data.ExecuteReader();
        var all = new System.Text.StringBuilder();
        while (reader.Read())
        {
            all.AppendLine(reader.GetString(0));
        }

        return (total, all.ToString());
    }

    public static JsonElement Participant(this WebhookRequest request) =>
        JsonDocument.Parse(request.Body).RootElement.GetProperty("participant").Clone();
}

/// <summary>One entry of an events log.</summary>
public sealed record LoggedEvent(string Id, string Type, DateTimeOffset Timestamp, JsonObject Data);
