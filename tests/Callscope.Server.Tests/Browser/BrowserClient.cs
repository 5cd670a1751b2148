using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Browser;

/// <summary>What a participant's browser does against the test server: get a token from the app's backend, send events.</summary>
public static class BrowserClient
{
    public const string IngestPath = "/api/v1/ingest/client";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client token made with the developer key, as the app's backend would make it.</summary>
    public static async Task<string> TokenAsync(CallscopeApp app, string room = "browser-call", string identity = "ana", string? name = "Ana",
        string? role = null, int? ttl = null, string key = CallscopeApp.DeveloperKey)
    {
        var response = await app.Api(key).PostAsJsonAsync("/api/v1/client-tokens",
            new { room, participant = new { external_id = identity, name, role }, ttl_seconds = ttl }, Ct);
        var body = await ApiAssert.OkAsync(response);
        return body.GetProperty("token").GetString()!;
    }

    public static async Task<HttpResponseMessage> SendAsync(CallscopeApp app, string? token, object body, string? origin = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, IngestPath) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            message.Headers.Add("Origin", origin);
        }

        return await app.CreateClient().SendAsync(message, Ct);
    }

    /// <summary>A browser's event: no room and no identity, only its connection; the token gives the rest.</summary>
    public static object Event(string type, DateTimeOffset at, object? data = null, string? id = null, string connection = "pc-1") => new
    {
        id = id ?? $"e-{Guid.NewGuid():N}",
        type,
        timestamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        participant = new { connection_id = connection },
        data,
    };

    public static object Batch(params object[] events) => new { events };

    /// <summary>Every event of the room's participant with this identity, oldest first, through the REST API.</summary>
    public static async Task<List<JsonElement>> LogAsync(HttpClient api, string room, string identity)
    {
        var participant = await ParticipantAsync(api, room, identity);
        var log = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant.GetProperty("id").GetString()}/events?limit=100");
        return [.. log.GetProperty("data").EnumerateArray()];
    }

    public static async Task<JsonElement> ParticipantAsync(HttpClient api, string room, string identity)
    {
        var sessions = await ApiAssert.GetAsync(api, $"/api/v1/rooms/{room}/sessions?limit=1");
        var session = sessions.GetProperty("data")[0].GetProperty("id").GetString();
        var participants = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/participants");
        return participants.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("external_id").GetString() == identity);
    }
}
