using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

/// <summary>Every endpoint of SPEC section 4: its happy path, its problems, and tenancy.</summary>
public sealed class EndpointTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;
    private string sessionId = null!;
    private string participantId = null!;
    private string roomId = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        app.Clock.SetUtcNow(T.AddMinutes(10));
        api = app.Api();
        await Events.PostAsync(api,
            Events.Joined("daily-standup", "ana", T, "c1", data: new { client = new { device = "desktop", os = "macOS", browser = "Firefox" } }),
            Events.Of("audio_enabled", "daily-standup", "ana", T.AddSeconds(5), connection: "c1"),
            Events.Of("quality_sample", "daily-standup", "ana", T.AddSeconds(30), new { rtt_ms = 42, packet_loss_pct = 0.5 }, "c1"),
            Events.Left("daily-standup", "ana", T.AddMinutes(2), "c1", data: new { reason = "network" }),
            Events.Joined("daily-standup", "ana", T.AddMinutes(3), "c2"),
            Events.Joined("daily-standup", "ben", T.AddMinutes(1), "c3", data: new { client = new { device = "mobile" } }));
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        sessionId = sessions.GetProperty("data")[0].GetProperty("id").GetString()!;
        roomId = sessions.GetProperty("data")[0].GetProperty("room_id").GetString()!;
        var participants = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}/participants?order=asc");
        participantId = participants.GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Session_list_uses_the_digital_samba_envelope()
    {
        var list = await ApiAssert.GetAsync(api, "/api/v1/sessions?live=true&limit=10");

        Assert.Equal(1, list.GetProperty("total_count").GetInt32());
        var session = list.GetProperty("data")[0];
        Assert.Equal("daily-standup", session.GetProperty("friendly_url").GetString());
        Assert.Equal(2, session.GetProperty("participants_live").GetInt32());
        Assert.Equal(600, session.GetProperty("session_duration").GetInt64());
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/sessions?live=false")).GetProperty("total_count").GetInt32());
        Assert.Equal(1, (await ApiAssert.GetAsync(api, "/api/v1/sessions?date_start=2026-11-25&date_end=2026-11-25")).GetProperty("total_count").GetInt32());
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/sessions?date_start=2026-11-26")).GetProperty("total_count").GetInt32());
        Assert.Equal(1, (await ApiAssert.GetAsync(api, $"/api/v1/sessions?room_id={roomId}")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Session_detail_and_statistics_carry_participation_by_device()
    {
        var detail = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}");
        var statistics = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}/statistics");

        Assert.Equal(sessionId, detail.GetProperty("session_id").GetString());
        Assert.True(detail.GetProperty("session_live").GetBoolean());
        Assert.Equal("live", detail.GetProperty("status").GetString());
        Assert.Equal(2, detail.GetProperty("participants_total").GetInt32());
        Assert.Equal(2, detail.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(2 + 7 + 9, detail.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(9, detail.GetProperty("desktop_participation_minutes").GetDouble());
        Assert.Equal(9, detail.GetProperty("mobile_participation_minutes").GetDouble());
        Assert.Equal(detail.GetProperty("participation_minutes").GetDouble(), statistics.GetProperty("participation_minutes").GetDouble());
    }

    [Fact]
    public async Task Participant_detail_lists_connections_and_reconnects()
    {
        var participant = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participantId}");

        Assert.Equal("ana", participant.GetProperty("external_id").GetString());
        Assert.Equal(1, participant.GetProperty("reconnects").GetInt32());
        Assert.Equal("desktop", participant.GetProperty("device").GetString());
        Assert.Equal("macOS", participant.GetProperty("system").GetString());
        var connections = participant.GetProperty("connections");
        Assert.Equal("network", connections[0].GetProperty("leave_reason").GetString());
        Assert.Equal(JsonValueKind.Null, connections[1].GetProperty("leave_time").ValueKind);
        Assert.True(participant.GetProperty("live").GetBoolean());
        var statistics = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participantId}/statistics");
        Assert.Equal(9, statistics.GetProperty("participation_minutes").GetDouble());
    }

    [Fact]
    public async Task Participant_events_log_filters_by_type()
    {
        var all = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participantId}/events");
        var quality = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participantId}/events?type=quality_sample,audio_enabled");

        Assert.Equal(
            ["participant_joined", "audio_enabled", "quality_sample", "participant_left", "participant_joined"],
            all.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(2, quality.GetProperty("total_count").GetInt32());
        Assert.Equal(42, quality.GetProperty("data")[1].GetProperty("data").GetProperty("rtt_ms").GetInt32());
    }

    [Fact]
    public async Task An_event_no_session_covers_is_still_stored_and_visible_on_its_room()
    {
        await Events.PostAsync(api, Events.Of("app_error", "daily-standup", "zed", T.AddHours(-1), new { code = "E42", message = "crashed before joining" }));

        var room = await ApiAssert.GetAsync(api, "/api/v1/rooms/daily-standup/events?type=app_error");
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");

        var error = Assert.Single(room.GetProperty("data").EnumerateArray());
        Assert.Equal("E42", error.GetProperty("data").GetProperty("code").GetString());
        Assert.Equal(1, sessions.GetProperty("total_count").GetInt32());
        Assert.Equal(7, (await ApiAssert.GetAsync(api, "/api/v1/rooms/daily-standup/events")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Participant_lists_filter_by_session_room_and_liveness()
    {
        Assert.Equal(2, (await ApiAssert.GetAsync(api, "/api/v1/participants")).GetProperty("total_count").GetInt32());
        Assert.Equal(2, (await ApiAssert.GetAsync(api, $"/api/v1/participants?session_id={sessionId}&live=true")).GetProperty("total_count").GetInt32());
        Assert.Equal(2, (await ApiAssert.GetAsync(api, "/api/v1/rooms/daily-standup/participants")).GetProperty("total_count").GetInt32());
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/participants?live=false")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Paging_walks_a_list_with_the_after_cursor()
    {
        var first = await ApiAssert.GetAsync(api, "/api/v1/participants?limit=1&order=asc");
        var after = first.GetProperty("data")[0].GetProperty("id").GetString();
        var second = await ApiAssert.GetAsync(api, $"/api/v1/participants?limit=1&order=asc&after={after}");

        Assert.Equal(2, second.GetProperty("total_count").GetInt32());
        Assert.Equal("ben", second.GetProperty("data")[0].GetProperty("external_id").GetString());
    }

    [Fact]
    public async Task Live_room_endpoints_show_who_is_in_the_room()
    {
        var live = await ApiAssert.GetAsync(api, "/api/v1/rooms/live");
        var withPeople = await ApiAssert.GetAsync(api, "/api/v1/rooms/live/participants");
        var one = await ApiAssert.GetAsync(api, "/api/v1/rooms/daily-standup/live");
        var onePeople = await ApiAssert.GetAsync(api, $"/api/v1/rooms/{roomId}/live/participants");

        Assert.Equal(2, live.GetProperty("data")[0].GetProperty("live_participants").GetInt32());
        Assert.Equal(2, withPeople.GetProperty("data")[0].GetProperty("live_participants").GetArrayLength());
        Assert.Equal(roomId, one.GetProperty("id").GetString());
        Assert.Equal(600, one.GetProperty("session_duration").GetInt64());
        Assert.Equal(["ana", "ben"], onePeople.GetProperty("live_participants").EnumerateArray().Select(p => p.GetProperty("external_id").GetString()).Order());
    }

    [Fact]
    public async Task Rooms_can_be_created_read_changed_and_deleted()
    {
        var created = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "board", description = "Board meetings", grace_period = 60 }, Ct));
        var id = created.GetProperty("id").GetString();
        var patched = await ApiAssert.OkAsync(await api.PatchAsync($"/api/v1/rooms/{id}", Json(new { session_length = 90, description = (string?)null }), Ct));
        var byName = await ApiAssert.GetAsync(api, "/api/v1/rooms/board");
        var list = await ApiAssert.GetAsync(api, "/api/v1/rooms");
        var duplicate = await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "board" }, Ct);
        var deleted = await api.DeleteAsync($"/api/v1/rooms/{id}", Ct);

        Assert.Equal(60, created.GetProperty("grace_period").GetInt32());
        Assert.Equal(90, patched.GetProperty("session_length").GetInt32());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("description").ValueKind);
        Assert.Equal(id, byName.GetProperty("id").GetString());
        Assert.Equal(2, list.GetProperty("total_count").GetInt32());
        await ApiAssert.ProblemAsync(duplicate, HttpStatusCode.Conflict, "room-exists");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/rooms/{id}", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Deleting_a_room_with_a_live_session_ends_it_and_keeps_its_history()
    {
        var deleted = await api.DeleteAsync("/api/v1/rooms/daily-standup", Ct);
        var session = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("ended", session.GetProperty("status").GetString());
        Assert.Equal("api", session.GetProperty("end_reason").GetString());
        Assert.True(session.GetProperty("room_is_deleted").GetBoolean());
    }

    [Fact]
    public async Task Team_settings_can_be_read_and_changed()
    {
        var team = await ApiAssert.GetAsync(api, "/api/v1/team");
        var changed = await ApiAssert.OkAsync(await api.PatchAsync("/api/v1/team", Json(new { max_sessions = 5, name = "Acme" }), Ct));
        var stats = await ApiAssert.GetAsync(api, "/api/v1/statistics/current");

        Assert.Equal(420, team.GetProperty("grace_period").GetInt32());
        Assert.Equal("Acme", changed.GetProperty("name").GetString());
        Assert.Equal(5, stats.GetProperty("max_sessions").GetInt32());
        Assert.Equal(1, stats.GetProperty("live_sessions").GetInt32());
        Assert.Equal(2, stats.GetProperty("live_participants").GetInt32());
        Assert.Equal(2, stats.GetProperty("max_concurrent_participants").GetInt32());
    }

    [Fact]
    public async Task Event_types_and_the_openapi_document_are_served()
    {
        var webhookEvents = await ApiAssert.GetAsync(api, "/api/v1/events");
        var types = await ApiAssert.GetAsync(api, "/api/v1/event-types");
        var openApi = await ApiAssert.GetAsync(app.CreateClient(), "/openapi/v1.json");

        Assert.Contains("session_ended", webhookEvents.EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("quality_sample", types.GetProperty("data").EnumerateArray().Select(t => t.GetString()));
        var paths = openApi.GetProperty("paths");
        foreach (var path in (string[])["/api/v1/sessions", "/api/v1/sessions/{id}/end", "/api/v1/participants/{id}/events", "/api/v1/rooms/live", "/api/v1/team", "/api/v1/statistics/current", "/api/v1/ingest/events", "/api/v1/webhooks", "/api/v1/webhooks/{webhook}/deliveries"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
        }

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/scalar/", Ct)).StatusCode);
    }

    [Fact]
    public async Task Basic_auth_with_team_id_and_key_works_and_a_wrong_team_id_does_not()
    {
        var basic = app.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{app.TeamId}:{CallscopeApp.DeveloperKey}")));
        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Guid.NewGuid()}:{CallscopeApp.DeveloperKey}")));

        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync("/api/v1/sessions", Ct)).StatusCode);
        await ApiAssert.ProblemAsync(await wrong.GetAsync("/api/v1/sessions", Ct), HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string> ReadEndpoints() =>
    [
        "/api/v1/sessions", "/api/v1/sessions/{session}", "/api/v1/sessions/{session}/statistics", "/api/v1/sessions/{session}/participants",
        "/api/v1/participants", "/api/v1/participants/{participant}", "/api/v1/participants/{participant}/statistics",
        "/api/v1/participants/{participant}/events", "/api/v1/rooms", "/api/v1/rooms/{room}", "/api/v1/rooms/{room}/sessions",
        "/api/v1/rooms/{room}/participants", "/api/v1/rooms/{room}/events", "/api/v1/rooms/live", "/api/v1/rooms/live/participants", "/api/v1/rooms/{room}/live",
        "/api/v1/rooms/{room}/live/participants", "/api/v1/team", "/api/v1/statistics/current", "/api/v1/events", "/api/v1/event-types",
    ];

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task Every_endpoint_answers_401_without_a_key_and_with_a_wrong_one(string template)
    {
        var url = Fill(template);

        await ApiAssert.ProblemAsync(await app.CreateClient().GetAsync(url, Ct), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(await app.Api("not-a-real-key").GetAsync(url, Ct), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.OkAsync(await api.GetAsync(url, Ct));
    }

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task Another_teams_key_never_sees_this_teams_objects(string template)
    {
        var (_, otherKey) = app.CreateTeam("Other team");
        var other = app.Api(otherKey);

        var response = await other.GetAsync(Fill(template), Ct);

        if (template.Contains('{', StringComparison.Ordinal))
        {
            await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        }
        else
        {
            var body = await ApiAssert.OkAsync(response);
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("total_count", out var count) && template != "/api/v1/event-types")
            {
                Assert.Equal(0, count.GetInt32());
            }
        }
    }

    [Fact]
    public async Task Another_teams_key_cannot_end_change_or_delete_this_teams_objects()
    {
        var (_, otherKey) = app.CreateTeam("Other team");
        var other = app.Api(otherKey);

        await ApiAssert.ProblemAsync(await other.PostAsync($"/api/v1/sessions/{sessionId}/end", null, Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await other.PatchAsync($"/api/v1/rooms/{roomId}", Json(new { description = "mine" }), Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await other.DeleteAsync($"/api/v1/rooms/{roomId}", Ct), HttpStatusCode.NotFound, "not-found");
        Assert.True((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}")).GetProperty("session_live").GetBoolean());
    }

    [Theory]
    [InlineData("/api/v1/sessions/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/v1/sessions/not-an-id")]
    [InlineData("/api/v1/participants/00000000-0000-0000-0000-000000000000/events")]
    [InlineData("/api/v1/rooms/no-such-room/sessions")]
    [InlineData("/api/v1/rooms/no-such-room")]
    [InlineData("/api/v1/no-such-endpoint")]
    public async Task Unknown_ids_are_404_problems(string url) =>
        await ApiAssert.ProblemAsync(await api.GetAsync(url, Ct), HttpStatusCode.NotFound, "not-found");

    [Theory]
    [InlineData("/api/v1/sessions?limit=0", "limit")]
    [InlineData("/api/v1/sessions?limit=101", "limit")]
    [InlineData("/api/v1/sessions?limit=-1", "limit")]
    [InlineData("/api/v1/sessions?offset=1e30", "offset")]
    [InlineData("/api/v1/sessions?order=sideways", "order")]
    [InlineData("/api/v1/sessions?live=maybe", "live")]
    [InlineData("/api/v1/sessions?date_start=2026-13-45", "date_start")]
    [InlineData("/api/v1/sessions?room_id=42", "room_id")]
    [InlineData("/api/v1/participants?session_id=x", "session_id")]
    [InlineData("/api/v1/rooms?limit=abc", "limit")]
    public async Task Out_of_range_query_values_are_400_problems_naming_the_field(string url, string field)
    {
        var problem = await ApiAssert.ProblemAsync(await api.GetAsync(url, Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Bad_room_bodies_are_400_problems_and_change_nothing()
    {
        await ApiAssert.ProblemAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = 5 }, Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "x", grace_period = -1 }, Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.PatchAsync($"/api/v1/rooms/{roomId}", Json(new { grace_period = "soon" }), Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.PatchAsync("/api/v1/team", Json(new { grace_period = (int?)null }), Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.PostAsync("/api/v1/rooms", new StringContent("[", Encoding.UTF8, "application/json"), Ct), HttpStatusCode.BadRequest, "malformed-json");

        Assert.Equal(1, (await ApiAssert.GetAsync(api, "/api/v1/rooms")).GetProperty("total_count").GetInt32());
        Assert.Equal(420, (await ApiAssert.GetAsync(api, "/api/v1/team")).GetProperty("grace_period").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await ApiAssert.GetAsync(api, $"/api/v1/rooms/{roomId}")).GetProperty("grace_period").ValueKind);
    }

    private string Fill(string template) => template
        .Replace("{session}", sessionId, StringComparison.Ordinal)
        .Replace("{participant}", participantId, StringComparison.Ordinal)
        .Replace("{room}", roomId, StringComparison.Ordinal);

    private static StringContent Json(object body) => SessionLifecycleTests.Json(body);
}
