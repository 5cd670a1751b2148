using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Data;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// SPEC 7, "bad input gets a clear 4xx problem response and changes nothing": a generated corpus of hostile requests
/// to every operation of the OpenAPI document, sent over real HTTP to the server on Kestrel.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;
    private readonly Dictionary<string, string> ids = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        app.Settings["Logging:LogLevel:Default"] = "Warning";
        app.Clock.SetUtcNow(T.AddMinutes(10));
        api = new HttpClient { BaseAddress = app.StartOnKestrel() };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CallscopeApp.DeveloperKey);
        await Events.PostAsync(api,
            Events.Joined("daily-standup", "ana", T, "c1", data: new { client = new { device = "desktop", os = "macOS", browser = "Firefox" } }),
            Events.Of("audio_enabled", "daily-standup", "ana", T.AddSeconds(5), connection: "c1"),
            Events.Of("quality_sample", "daily-standup", "ana", T.AddSeconds(30), new { rtt_ms = 42, packet_loss_pct = 0.5 }, "c1"),
            Events.Joined("daily-standup", "ben", T.AddMinutes(1), "c2"),
            Events.Left("daily-standup", "ana", T.AddMinutes(5), "c1"),
            Events.Joined("archive", "carl", T.AddHours(-2), "c3"),
            Events.Left("archive", "carl", T.AddHours(-2).AddMinutes(9), "c3"));
        (await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "empty-room", description = "no calls yet" }, Ct)).EnsureSuccessStatusCode();

        var session = (await ApiAssert.GetAsync(api, "/api/v1/sessions?live=true")).GetProperty("data")[0];
        ids["session"] = session.GetProperty("id").GetString()!;
        ids["room"] = session.GetProperty("room_id").GetString()!;
        ids["participant"] = (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{ids["session"]}/participants")).GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Hostile_requests_to_every_endpoint_get_a_problem_response_and_change_nothing()
    {
        var operations = await OperationsAsync();
        var corpus = HostileCorpus.For(operations, RealIds(operations)).ToList();
        var before = await SnapshotAsync();

        var failures = new List<string>();
        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (request, cancellationToken) =>
        {
            if (await CheckAsync(request, cancellationToken) is { } failure)
            {
                lock (failures)
                {
                    failures.Add(failure);
                }
            }
        });

        Assert.True(operations.Count >= 25, $"the OpenAPI document lists only {operations.Count} operations");
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} hostile requests were mishandled:\n" + string.Join('\n', failures.Take(40)));
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>Returns what is wrong with the answer to <paramref name="request"/>, or null when it is right.</summary>
    private async Task<string?> CheckAsync(HostileRequest request, CancellationToken cancellationToken)
    {
        using var message = request.Build(CallscopeApp.DeveloperKey);
        HttpResponseMessage response;
        try
        {
            response = await api.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException error)
        {
            return $"{request} → the connection failed: {error.Message}";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (status >= 500)
            {
                return $"{request} → {status}: {Shorten(text)}";
            }

            if (RejectedByKestrel(response, status, text))
            {
                return null;
            }

            if (status < 400)
            {
                return request.Method == HttpMethod.Get || request.Method == HttpMethod.Patch
                    ? null
                    : $"{request} → {status}: a hostile {request.Method} was accepted";
            }

            return ProblemIssue(response, status, text) is { } issue ? $"{request} → {status}: {issue}" : null;
        }
    }

    /// <summary>
    /// Requests that are not valid HTTP (a NUL in the path, a request line over Kestrel's limit, a control character in
    /// a header) are answered by Kestrel itself, with an empty body and a closed connection, before any application
    /// code runs: there is nothing the application could add.
    /// </summary>
    private static bool RejectedByKestrel(HttpResponseMessage response, int status, string text) =>
        status is 400 or 414 or 431 && text.Length == 0 && response.Headers.ConnectionClose == true;

    private static string? ProblemIssue(HttpResponseMessage response, int status, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "none"}, not application/problem+json: {Shorten(text)}";
        }

        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            var complete = body.TryGetProperty("status", out var s) && s.GetInt32() == status
                && body.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString())
                && body.TryGetProperty("message", out var m) && !string.IsNullOrWhiteSpace(m.GetString())
                && body.TryGetProperty("error", out var e) && !string.IsNullOrWhiteSpace(e.GetString());
            return !complete ? $"the problem lacks status, title, message or error: {Shorten(text)}"
                : text.Contains("   at ", StringComparison.Ordinal) ? $"the problem carries a stack trace: {Shorten(text)}"
                : null;
        }
        catch (JsonException)
        {
            return $"the problem is not JSON: {Shorten(text)}";
        }
    }

    [Fact]
    public async Task Extreme_but_valid_events_are_stored_and_read_back_without_a_server_error()
    {
        var longName = string.Concat(Enumerable.Repeat("é'%_<b>&", 30))[..200];
        object[] extremes =
        [
            Event("participant_joined", "1970-01-01T00:00:00Z", "epoch", "a"),
            Event("participant_left", "1970-01-01T00:00:01Z", "epoch", "a", new { reason = "network", joined_at = "1970-01-01T00:00:00Z" }),
            Event("participant_joined", "9999-12-31T23:59:59.999Z", "future", "b"),
            Event("participant_joined", "2026-11-25T23:59:59+14:00", "offsets", "c"),
            Event("participant_left", "2026-11-25T00:00:00-12:00", "offsets", "d", new { joined_at = "2026-11-24T23:00:00-12:00" }),
            Event("participant_joined", "2026-11-25T09:00:00Z", longName, new string('p', 200)),
            Event("quality_sample", "2026-11-25T09:00:01Z", longName, new string('p', 200),
                new { rtt_ms = 60_000, jitter_ms = 0, packet_loss_pct = 100, bitrate_up_kbps = 0.000001, bitrate_down_kbps = 10_000_000, fps = 1e-300, score = 5 }),
            Event("x_custom_thing_v2", "2026-11-25T09:00:02Z", longName, "😀 ﷽ ‮reversed"),
            Event("permissions_changed", "2026-11-25T09:00:03Z", longName, new string('p', 200), new { permissions = new { a = true, b = false }, nested = Nested(25) }),
            Event("participant_left", "2026-11-25T09:00:04Z", "leave-first", "e", new { reason = "kicked" }),
            Event("participant_joined", "2026-11-25T09:00:00Z", "leave-first", "e"),
            new { id = "room-level", type = "session_ended", timestamp = "2026-11-25T09:00:05Z", room = new { friendly_url = longName } },
            new { id = "room-finished", type = "recording_failed", timestamp = "2026-11-25T09:00:06Z", room = new { friendly_url = "nobody-here" }, data = new { error = "disk full" } },
        ];
        foreach (var e in extremes)
        {
            await Events.PostAsync(api, e);
        }

        // Past every grace period: the sweeper ends what these events left open.
        await app.AdvanceAsync(TimeSpan.FromMinutes(10));
        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants?limit=100");
        foreach (var participant in participants.GetProperty("data").EnumerateArray())
        {
            var id = participant.GetProperty("id").GetString();
            await ApiAssert.GetAsync(api, $"/api/v1/participants/{id}");
            await ApiAssert.GetAsync(api, $"/api/v1/participants/{id}/events");
            await ApiAssert.GetAsync(api, $"/api/v1/sessions/{participant.GetProperty("session_id").GetString()}");
        }

        foreach (var path in (string[])["/api/v1/sessions", "/api/v1/sessions?live=true", "/api/v1/sessions?q=%25", "/api/v1/statistics/current",
            "/api/v1/rooms/live/participants", "/api/v1/rooms?limit=100", "/api/v1/sessions?date_start=0001-01-01&date_end=9999-12-31"])
        {
            await ApiAssert.GetAsync(api, path);
        }

        Assert.True(participants.GetProperty("total_count").GetInt32() >= 8);
    }

    private static object Event(string type, string timestamp, string room, string who, object? data = null) => new
    {
        id = $"extreme-{Guid.NewGuid():N}",
        type,
        timestamp,
        room = new { friendly_url = room },
        participant = new { external_id = who, name = who, connection_id = who[..Math.Min(who.Length, 190)] + "-conn" },
        data,
    };

    private static object Nested(int depth) => depth == 0 ? "bottom" : new { level = Nested(depth - 1) };

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = await ApiAssert.GetAsync(api, "/openapi/v1.json");
        return [.. document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(op => op.Name != "parameters")
            .Select(op => new Operation(new HttpMethod(op.Name.ToUpperInvariant()), path.Name, op.Value.TryGetProperty("requestBody", out _))))];
    }

    /// <summary>For every operation, the real ids its path needs: the live session, its room, its first participant.</summary>
    private Dictionary<string, string> RealIds(IEnumerable<Operation> operations) => operations
        .Select(o => o.Template)
        .Distinct()
        .SelectMany(t => t.Split('/').Where(s => s.StartsWith('{')).Select(s => (Template: t, Name: s.Trim('{', '}'))))
        .GroupBy(p => p.Name)
        .ToDictionary(g => g.Key, g => g.Key switch
        {
            "room" => ids["room"],
            "id" => ids["session"],
            _ => ids["participant"],
        });

    /// <summary>What the team's API shows, and how many rows each table of the store holds.</summary>
    private async Task<string> SnapshotAsync()
    {
        var snapshot = new StringBuilder();
        foreach (var path in (string[])["/api/v1/team", "/api/v1/rooms", "/api/v1/sessions", "/api/v1/participants", "/api/v1/statistics/current", "/api/v1/rooms/live/participants"])
        {
            snapshot.AppendLine(await api.GetStringAsync(path, Ct));
        }

        foreach (var participant in (await ApiAssert.GetAsync(api, "/api/v1/participants")).GetProperty("data").EnumerateArray())
        {
            snapshot.AppendLine(await api.GetStringAsync($"/api/v1/participants/{participant.GetProperty("id").GetString()}/events", Ct));
        }

        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        foreach (var table in (string[])["teams", "members", "rooms", "events", "sessions", "session_aliases", "participants"])
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            snapshot.AppendLine($"{table}: {count.ExecuteScalar()}");
        }

        return snapshot.ToString();
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
