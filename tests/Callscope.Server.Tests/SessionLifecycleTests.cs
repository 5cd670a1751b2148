using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

public sealed class SessionLifecycleTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_empty_session_ends_at_grace_after_the_last_leave_by_the_server_clock()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("standup", "ana", T));
        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        await Events.PostAsync(api, Events.Left("standup", "ana", T.AddMinutes(1)));

        var ending = await OnlySessionAsync(api);
        await app.AdvanceAsync(TimeSpan.FromMinutes(7));
        var ended = await OnlySessionAsync(api);

        Assert.Equal("ending_soon", ending.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T10:08:00.000Z", ending.GetProperty("ending_at").GetString());
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T10:08:00.000Z", ended.GetProperty("end_time").GetString());
        Assert.Equal("grace_expired", ended.GetProperty("end_reason").GetString());
        Assert.Equal("2026-11-25T10:01:00.000Z", ended.GetProperty("last_participant_left_at").GetString());
    }

    [Fact]
    public async Task An_empty_session_ends_at_grace_after_a_restart_that_missed_its_deadline()
    {
        var folder = Path.Combine(Path.GetTempPath(), "callscope-tests", Guid.NewGuid().ToString("N"));
        string? postgres;
        await using (var before = new CallscopeApp(folder, keepData: true))
        {
            postgres = before.PostgresConnectionString;
            before.Clock.SetUtcNow(T.AddMinutes(1));
            await Events.PostAsync(before.Api(), Events.Joined("standup", "ana", T), Events.Left("standup", "ana", T.AddMinutes(1)));
        }

        await using var after = new CallscopeApp(folder, postgres: postgres);
        after.Clock.SetUtcNow(T.AddHours(3));
        var api = after.Api();
        await after.SettleAsync();

        var session = await OnlySessionAsync(api);
        Assert.Equal("ended", session.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T10:08:00.000Z", session.GetProperty("end_time").GetString());
        Assert.Equal("grace_expired", session.GetProperty("end_reason").GetString());
        var stored = await ApiAssert.GetAsync(api, "/api/v1/statistics/current");
        Assert.Equal(0, stored.GetProperty("ending_soon_sessions").GetInt32());
    }

    [Fact]
    public async Task Ending_a_live_session_closes_its_connections_and_a_second_end_is_422()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("standup", "ana", T), Events.Joined("standup", "ben", T));
        await app.AdvanceAsync(TimeSpan.FromMinutes(5));
        var id = (await OnlySessionAsync(api)).GetProperty("id").GetString();

        var ended = await ApiAssert.OkAsync(await api.PostAsync($"/api/v1/sessions/{id}/end", null, Ct));
        var again = await api.PostAsync($"/api/v1/sessions/{id}/end", null, Ct);

        Assert.False(ended.GetProperty("session_live").GetBoolean());
        Assert.Equal("api", ended.GetProperty("end_reason").GetString());
        Assert.Equal("2026-11-25T10:05:00.000Z", ended.GetProperty("session_end_time").GetString());
        await ApiAssert.ProblemAsync(again, HttpStatusCode.UnprocessableEntity, "session-not-live");
        var participants = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{id}/participants");
        Assert.Equal(2, participants.GetProperty("total_count").GetInt32());
        foreach (var participant in participants.GetProperty("data").EnumerateArray())
        {
            var connection = Assert.Single(participant.GetProperty("connections").EnumerateArray());
            Assert.Equal("session_ended", connection.GetProperty("leave_reason").GetString());
            Assert.Equal("2026-11-25T10:05:00.000Z", connection.GetProperty("leave_time").GetString());
        }
    }

    [Fact]
    public async Task A_join_after_an_api_end_starts_a_new_session()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("standup", "ana", T));
        var first = (await OnlySessionAsync(api)).GetProperty("id").GetString();
        await app.AdvanceAsync(TimeSpan.FromMinutes(2));
        await ApiAssert.OkAsync(await api.PostAsync($"/api/v1/sessions/{first}/end", null, Ct));

        await Events.PostAsync(api, Events.Joined("standup", "ana", T.AddMinutes(3)));

        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        Assert.Equal(2, sessions.GetProperty("total_count").GetInt32());
        Assert.Equal("live", sessions.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal(first, sessions.GetProperty("data")[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_late_event_that_bridges_two_sessions_merges_them_and_the_absorbed_id_keeps_resolving()
    {
        await using var app = new CallscopeApp();
        app.Clock.SetUtcNow(T.AddHours(1));
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("standup", "a", T), Events.Left("standup", "a", T.AddMinutes(10)),
            Events.Joined("standup", "c", T.AddMinutes(30)), Events.Left("standup", "c", T.AddMinutes(31)));
        var before = await ApiAssert.GetAsync(api, "/api/v1/sessions?order=asc");
        var older = before.GetProperty("data")[0].GetProperty("id").GetString();
        var newer = before.GetProperty("data")[1].GetProperty("id").GetString();

        await Events.PostAsync(api, Events.Joined("standup", "b", T.AddMinutes(12)), Events.Left("standup", "b", T.AddMinutes(25)));

        var after = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        var merged = Assert.Single(after.GetProperty("data").EnumerateArray());
        Assert.Equal(older, merged.GetProperty("id").GetString());
        Assert.Equal("2026-11-25T10:38:00.000Z", merged.GetProperty("end_time").GetString());
        var viaAbsorbed = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{newer}");
        Assert.Equal(older, viaAbsorbed.GetProperty("session_id").GetString());
        Assert.Equal(3, viaAbsorbed.GetProperty("participants_total").GetInt32());
    }

    [Fact]
    public async Task Changing_the_team_grace_period_applies_to_the_live_session()
    {
        await using var app = new CallscopeApp();
        app.Clock.SetUtcNow(T.AddMinutes(1));
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("standup", "ana", T), Events.Left("standup", "ana", T.AddMinutes(1)));

        await ApiAssert.OkAsync(await api.PatchAsync("/api/v1/team", Json(new { grace_period = 120 }), Ct));

        var session = await OnlySessionAsync(api);
        Assert.Equal("2026-11-25T10:03:00.000Z", session.GetProperty("ending_at").GetString());
    }

    [Fact]
    public async Task Statistics_count_only_active_sessions_as_live()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("one", "ana", T), Events.Joined("two", "ben", T), Events.Left("two", "ben", T.AddSeconds(10)));
        await app.AdvanceAsync(TimeSpan.FromSeconds(30));

        var stats = await ApiAssert.GetAsync(api, "/api/v1/statistics/current");

        Assert.Equal(1, stats.GetProperty("live_sessions").GetInt32());
        Assert.Equal(1, stats.GetProperty("ending_soon_sessions").GetInt32());
        Assert.Equal(1, stats.GetProperty("live_participants").GetInt32());
        Assert.Equal(1, stats.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("max_sessions").ValueKind);
    }

    private static async Task<JsonElement> OnlySessionAsync(HttpClient api)
    {
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        return Assert.Single(sessions.GetProperty("data").EnumerateArray());
    }

    internal static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
