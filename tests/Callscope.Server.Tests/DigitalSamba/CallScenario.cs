using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>
/// Real data for Digital Samba's endpoints, ingested through the API: a room created with its settings, a live session
/// in it with three people on three devices who broadcast, share a screen, chat and are recorded (and two problems of
/// Ana's the diagnosis finds), and an ended session in a second room; and two webhooks, made after the calls, whose
/// endpoints are on <c>.invalid</c> hosts (no such host resolves, so nothing is ever reached), the first holding two
/// test messages.
/// </summary>
public sealed class CallScenario
{
    /// <summary>When the standup starts; the scenario ends ten minutes later, with the clock there.</summary>
    public static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(50);

    public string RoomId { get; private set; } = null!;

    public string LiveSessionId { get; private set; } = null!;

    public string EndedSessionId { get; private set; } = null!;

    /// <summary>Ana: a moderator on a desktop, in the live session.</summary>
    public string AnaId { get; private set; } = null!;

    /// <summary>Zoe: the one participant of the ended session.</summary>
    public string ZoeId { get; private set; } = null!;

    /// <summary>The webhook the routes name: the first made of the two, with two deliveries (test messages).</summary>
    public string WebhookId { get; private set; } = null!;

    /// <summary>A webhook as <c>POST /api/v1/webhooks</c> takes it, to be sent to an endpoint on a host that never resolves.</summary>
    public static object NewWebhook(string name, string path, string[] events, string token) => new
    {
        endpoint = $"https://hooks.example.invalid/{path}",
        name,
        events,
        authorization_header = token,
    };

    public static async Task<CallScenario> CreateAsync(CallscopeApp app, HttpClient api)
    {
        var scenario = new CallScenario();
        var created = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/rooms",
            new { friendly_url = "standup", description = "Daily standup", external_id = "EXT-7", max_participants = 12 }));
        scenario.RoomId = created.GetProperty("id").GetString()!;
        await app.AdvanceAsync(TimeSpan.FromMinutes(20));

        await Events.PostAsync(api,
            Event("participant_joined", "retro", "zoe", T.AddMinutes(-50), "z1", "attendee", new { client = new { device = "desktop" } }),
            Event("participant_left", "retro", "zoe", T.AddMinutes(-40), "z1", "attendee"));
        // Now ten minutes into the standup, whose events follow; the retro's grace period has long passed.
        await app.AdvanceAsync(TimeSpan.FromMinutes(40));

        await Events.PostAsync(api,
            Event("participant_joined", "standup", "ana", T, "a1", "moderator",
                new { client = new { device = "desktop", os = "macOS", browser = "Firefox" } }),
            Event("participant_joined", "standup", "ben", T.AddMinutes(1), "b1", "attendee", new { client = new { device = "mobile" } }),
            Event("participant_joined", "standup", "cai", T.AddMinutes(2), "c1", "attendee", new { client = new { device = "tablet" } }),
            Event("audio_enabled", "standup", "ana", T.AddMinutes(1), "a1", "moderator"),
            Event("video_enabled", "standup", "ana", T.AddMinutes(2), "a1", "moderator"),
            Event("audio_disabled", "standup", "ana", T.AddMinutes(3), "a1", "moderator"),
            Event("video_disabled", "standup", "ana", T.AddMinutes(5), "a1", "moderator"),
            Event("screenshare_started", "standup", "ana", T.AddMinutes(4), "a1", "moderator"),
            Event("screenshare_stopped", "standup", "ana", T.AddMinutes(7), "a1", "moderator"),
            Event("video_enabled", "standup", "ben", T.AddMinutes(6), "b1", "attendee"),
            Event("chat_message", "standup", "ben", T.AddMinutes(3), "b1", "attendee"),
            Event("chat_message", "standup", "ana", T.AddMinutes(4), "a1", "moderator"),
            Event("chat_message", "standup", "ana", T.AddMinutes(5), "a1", "moderator"),
            Event("participant_left", "standup", "ben", T.AddMinutes(8), "b1", "attendee"),
            Room("recording_started", "standup", T.AddMinutes(2)),
            Room("recording_stopped", "standup", T.AddMinutes(6)),
            Room("recording_started", "standup", T.AddMinutes(9)),
            // Ana's camera was refused at first, and her media connection failed once: two issues to list.
            Event("media_permissions_failed", "standup", "ana", T.AddSeconds(30), "a1", "moderator", new { code = "NotAllowedError", device = "camera" }),
            Event("media_connection_failed", "standup", "ana", T.AddMinutes(8), "a1", "moderator", new { code = "ICE_FAILED" }));
        await app.SettleAsync();

        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions?order=asc");
        scenario.EndedSessionId = sessions.GetProperty("data")[0].GetProperty("id").GetString()!;
        scenario.LiveSessionId = sessions.GetProperty("data")[1].GetProperty("id").GetString()!;
        var participants = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{scenario.LiveSessionId}/participants?order=asc");
        scenario.AnaId = participants.GetProperty("data")[0].GetProperty("id").GetString()!;
        var ended = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{scenario.EndedSessionId}/participants");
        scenario.ZoeId = ended.GetProperty("data")[0].GetProperty("id").GetString()!;
        await Diagnosis.IssueApiTests.IssuesAsync(api, $"/api/v1/sessions/{scenario.LiveSessionId}/issues", data => data.GetArrayLength() == 2);

        // Made once the calls are written, the webhooks hear of none of them: the deliveries are the two test messages.
        var webhook = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/webhooks",
            NewWebhook("Standup hook", "standup", ["session_started", "session_ended"], "token-standup")));
        scenario.WebhookId = webhook.GetProperty("id").GetString()!;
        await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/webhooks",
            NewWebhook("Billing hook", "billing", ["session_ended"], "token-billing")));
        for (var test = 0; test < 2; test++)
        {
            await ApiAssert.OkAsync(await api.PostAsync($"/api/v1/webhooks/{scenario.WebhookId}/test", null));
        }

        var deliveries = await ApiAssert.GetAsync(api, $"/api/v1/webhooks/{scenario.WebhookId}/deliveries");
        Assert.Equal(2, deliveries.GetProperty("total_count").GetInt32());

        return scenario;
    }

    /// <summary>A route of the document with its parameters filled with this scenario's ids (the live ones).</summary>
    public string Fill(string route) => route
        .Replace("{webhook}", WebhookId, StringComparison.Ordinal)
        .Replace("{room}", RoomId, StringComparison.Ordinal)
        .Replace("{session}", LiveSessionId, StringComparison.Ordinal)
        .Replace("{participant}", AnaId, StringComparison.Ordinal);

    /// <summary>The route filled once with the live session or participant and once with the ended one, where it names one.</summary>
    public IEnumerable<string> FillEach(string route)
    {
        yield return Fill(route);
        if (route.Contains("{session}", StringComparison.Ordinal) || route.Contains("{participant}", StringComparison.Ordinal))
        {
            yield return route
                .Replace("{webhook}", WebhookId, StringComparison.Ordinal)
                .Replace("{room}", RoomId, StringComparison.Ordinal)
                .Replace("{session}", EndedSessionId, StringComparison.Ordinal)
                .Replace("{participant}", ZoeId, StringComparison.Ordinal);
        }
    }

    public static object Event(string type, string room, string who, DateTimeOffset at, string connection, string role, object? data = null) => new
    {
        id = Guid.NewGuid().ToString("N"),
        type,
        timestamp = Stamp(at),
        room = new { friendly_url = room },
        participant = new { external_id = who, name = char.ToUpperInvariant(who[0]) + who[1..], role, connection_id = connection },
        data,
    };

    public static object Room(string type, string room, DateTimeOffset at) => new
    {
        id = Guid.NewGuid().ToString("N"),
        type,
        timestamp = Stamp(at),
        room = new { friendly_url = room },
    };

    public static async Task<JsonElement> SendAsync(HttpClient api, string method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await ApiAssert.OkAsync(await api.SendAsync(request));
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
