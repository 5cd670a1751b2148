using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>What the webhook tests share: an app that may call loopback receivers, and the API calls they make.</summary>
internal static class WebhookKit
{
    public static readonly string[] AllEvents =
        ["participant_joined", "participant_left", "session_started", "session_ended", "session_ending_soon", "participant_issue"];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The server with its dispatcher allowed to reach loopback receivers, looking for due deliveries often, and any
    /// other <c>Callscope:Webhooks:*</c> setting the test gives (name without the prefix).
    /// </summary>
    public static CallscopeApp NewApp(params (string Name, string Value)[] webhookSettings)
    {
        var app = new CallscopeApp();
        app.Settings["Callscope:Outbound:AllowPrivateNetworks"] = "true";
        app.Settings["Callscope:Webhooks:PollInterval"] = "00:00:00.100";
        foreach (var (name, value) in webhookSettings)
        {
            app.Settings["Callscope:Webhooks:" + name] = value;
        }

        return app;
    }

    /// <summary>Creates a webhook; answers its id and signing secret.</summary>
    public static async Task<(string Id, string Secret)> CreateAsync(HttpClient api, Uri endpoint, string[]? events = null, string? token = null, string? name = null)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/webhooks", new { endpoint = endpoint.ToString(), events = events ?? AllEvents, authorization_header = token, name }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating a webhook answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        return (body.GetProperty("id").GetString()!, body.GetProperty("signing_secret").GetString()!);
    }

    /// <summary>Every delivery of a webhook, oldest first.</summary>
    public static async Task<List<JsonElement>> DeliveriesAsync(HttpClient api, string webhook, string? state = null)
    {
        var all = new List<JsonElement>();
        for (var offset = 0; ; offset += 100)
        {
            var page = await ApiAssert.GetAsync(api, $"/api/v1/webhooks/{webhook}/deliveries?order=asc&limit=100&offset={offset}{(state is null ? "" : "&state=" + state)}");
            var data = page.GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (data.Count < 100)
            {
                return all;
            }
        }
    }

    /// <summary>Polls a webhook's deliveries until <paramref name="until"/> holds, with a generous deadline.</summary>
    public static async Task<List<JsonElement>> WaitForDeliveriesAsync(HttpClient api, string webhook, Func<List<JsonElement>, bool> until, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var deliveries = await DeliveriesAsync(api, webhook);
            if (until(deliveries))
            {
                return deliveries;
            }

            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"The deliveries did not come to {what} within {Patience.TotalSeconds} s:\n{string.Join('\n', deliveries.Select(Describe))}");
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>
    /// Waits until every delivery of the webhook has been answered with a 2xx and recorded. Tests that move the app's
    /// clock wait for this first: a jump of the clock past a try's lease while the try is under way lets the delivery be
    /// claimed again, and the receiver would get it twice.
    /// </summary>
    public static Task<List<JsonElement>> AllDeliveredAsync(HttpClient api, string webhook, int? count = null) =>
        WaitForDeliveriesAsync(api, webhook, d => (count is null || d.Count == count) && d.All(x => State(x) == "delivered"), $"{count?.ToString(CultureInfo.InvariantCulture) ?? "all"} delivered");

    /// <summary>Polls one delivery until <paramref name="until"/> holds.</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(HttpClient api, string webhook, string delivery, Func<JsonElement, bool> until, string what)
    {
        var found = await WaitForDeliveriesAsync(api, webhook, all => all.Any(d => Id(d) == delivery && until(d)), what);
        return found.Single(d => Id(d) == delivery);
    }

    public static string Id(JsonElement item) => item.GetProperty("id").GetString()!;

    public static string State(JsonElement delivery) => delivery.GetProperty("state").GetString()!;

    public static int Tries(JsonElement delivery) => delivery.GetProperty("attempts").GetArrayLength();

    public static DateTimeOffset Time(JsonElement value) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    public static string Describe(JsonElement delivery) =>
        $"{Id(delivery)} {delivery.GetProperty("event_type")} {State(delivery)} tries={Tries(delivery)} next={delivery.GetProperty("next_attempt_at")} " +
        $"last={delivery.GetProperty("last_status")} {delivery.GetProperty("last_error")}";

    public static async Task<JsonElement> GetAsync(HttpClient api, string path) => await ApiAssert.GetAsync(api, path);

    public static async Task<JsonElement> SendAsync(HttpClient api, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await api.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}
