using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Retention;
using Callscope.Data.Usage;
using Callscope.Data.Writing;
using Callscope.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Retention;

/// <summary>
/// A team keeps 30 days of history. The clock stands at 2026-11-25 10:00 UTC, so once the usage roll-ups are stored the
/// horizon is 2026-10-26 00:00: the call of 1 October goes, the call of yesterday and the live one stay, and another
/// team's old call stays. Runs on the store the suite runs on.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset October = new(2026, 10, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Yesterday = CallscopeApp.Start.AddDays(-1);
    private static readonly string[] StatisticsUrls =
    [
        "/api/v1/statistics?date_start=2026-10-01&date_end=2026-10-01",
        "/api/v1/statistics?date_start=2026-09-01&date_end=2026-11-24",
        "/api/v1/statistics/timeline?date_start=2026-09-28&date_end=2026-10-04&interval=day",
        "/api/v1/rooms/old-room/statistics?date_start=2026-10-01&date_end=2026-10-31",
    ];

    private readonly CallscopeApp app = new();
    private HttpClient api = null!;
    private (Core.TeamId Id, string Key) other;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        await Events.PostAsync(api,
            Events.Joined("old-room", "ann", October, connection: "c1", data: new { client = new { device = "desktop" } }),
            Events.Of("quality_sample", "old-room", "ann", October.AddMinutes(5), new { rtt_ms = 40 }, connection: "c1"),
            Events.Joined("old-room", "bob", October.AddMinutes(10), connection: "c2", data: new { client = new { device = "mobile" } }),
            Events.Left("old-room", "ann", October.AddMinutes(30), connection: "c1"),
            Events.Left("old-room", "bob", October.AddMinutes(40), connection: "c2"),
            Events.Joined("recent-room", "cyd", Yesterday, connection: "c3"),
            Events.Left("recent-room", "cyd", Yesterday.AddMinutes(20), connection: "c3"),
            Events.Joined("live-room", "dee", CallscopeApp.Start.AddMinutes(-1), connection: "c4"));
        other = app.CreateTeam("Other team");
        using var otherApi = app.Api(other.Key);
        await Events.PostAsync(otherApi,
            Events.Joined("old-room", "eve", October, connection: "c5"), Events.Left("old-room", "eve", October.AddMinutes(15), connection: "c5"));
        await app.SettleAsync();
        await app.Services.GetRequiredService<UsageWorker>().CatchUpAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Sessions_ended_before_the_horizon_go_with_their_participants_events_issues_and_webhook_deliveries()
    {
        var old = await SessionOf("old-room");
        var recent = await SessionOf("recent-room");
        var live = await SessionOf("live-room");
        var participant = (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{old}/participants")).GetProperty("data")[0].GetProperty("id").GetString();
        HangOffSession(old, "old");
        HangOffSession(recent, "recent");
        var before = Counts();

        await SetRetentionAsync(30);
        var deleted = await Worker().RunOnceAsync(Ct);

        var after = Counts();
        Assert.True(deleted > 0);
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/sessions/{old}", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/participants/{participant}", Ct), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms/old-room/sessions")).GetProperty("total_count").GetInt32());
        Assert.Equal(before.Events - 5, after.Events);
        Assert.Equal(before.Sessions - 1, after.Sessions);
        Assert.Equal(before.Participants - 2, after.Participants);
        Assert.Equal((before.Issues - 1, before.Deliveries - 1, before.Attempts - 1), (after.Issues, after.Deliveries, after.Attempts));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM events e JOIN rooms r ON r.id = e.room_id WHERE r.friendly_url = 'old-room' AND r.team_id = @team",
            new { team = app.TeamId.ToString() }));
        Assert.Equal(DbTime.Ms(new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.Zero)),
            Scalar("SELECT history_from FROM rooms WHERE friendly_url = 'old-room' AND team_id = @team", new { team = app.TeamId.ToString() }));

        // What stays: yesterday's call, the live call (still live), and everything of the other team.
        Assert.False((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{recent}")).GetProperty("session_live").GetBoolean());
        Assert.True((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{live}")).GetProperty("session_live").GetBoolean());
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE session_id = @recent", new { recent }));
        using var otherApi = app.Api(other.Key);
        Assert.Equal(1, (await ApiAssert.GetAsync(otherApi, "/api/v1/rooms/old-room/sessions")).GetProperty("total_count").GetInt32());
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM events WHERE team_id = @team", new { team = other.Id.ToString() }));
    }

    [Fact]
    public async Task Statistics_of_the_deleted_periods_answer_as_before_even_while_the_room_has_new_changes_to_measure()
    {
        var before = await StatisticsAsync();

        await SetRetentionAsync(30);
        await Worker().RunOnceAsync(Ct);
        var right = await StatisticsAsync();

        // A new call in the room marks its usage to be measured again; the deleted days still come from the roll-ups.
        await Events.PostAsync(api, Events.Joined("old-room", "ann", CallscopeApp.Start.AddSeconds(-2), connection: "c9"));
        var whileMarked = await StatisticsAsync();
        await app.Services.GetRequiredService<UsageWorker>().CatchUpAsync(Ct);
        var caughtUp = await StatisticsAsync();

        // Only the other team's call of 1 October is still stored.
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM sessions WHERE start_time < @horizon", new { horizon = DbTime.Ms(October.AddDays(1)) }));
        Assert.Equal(60, JsonDocument.Parse(before[0]).RootElement.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(before, right);
        Assert.Equal(before, whileMarked);
        Assert.Equal(before, caughtUp);
    }

    [Fact]
    public async Task A_late_event_older_than_the_rooms_history_is_counted_as_expired_and_brings_nothing_back()
    {
        await SetRetentionAsync(30);
        await Worker().RunOnceAsync(Ct);

        var late = await Events.PostAsync(api,
            Events.Joined("old-room", "fay", October.AddMinutes(20), connection: "c6"), Events.Left("old-room", "fay", October.AddMinutes(50), connection: "c6"),
            Events.Joined("recent-room", "gus", Yesterday.AddMinutes(5), connection: "c7"),
            Events.Left("recent-room", "gus", Yesterday.AddMinutes(10), connection: "c7"));
        await app.SettleAsync();

        Assert.Equal((2, 0, 2), (late.GetProperty("accepted").GetInt32(), late.GetProperty("duplicates").GetInt32(), late.GetProperty("expired").GetInt32()));
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms/old-room/sessions")).GetProperty("total_count").GetInt32());
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM events WHERE ts < @horizon AND team_id = @team",
            new { horizon = DbTime.Ms(October.AddDays(25)), team = app.TeamId.ToString() }));

        // A late event within the kept history goes in as always: yesterday's call gains its participant.
        var recent = await ApiAssert.GetAsync(api, "/api/v1/rooms/recent-room/sessions");
        Assert.Equal(1, recent.GetProperty("total_count").GetInt32());
        Assert.Equal(2, recent.GetProperty("data")[0].GetProperty("participants_total").GetInt32());

        // A leave whose join time lies before the horizon is a leave without a join: no session reaches back past it.
        var horizon = new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.Zero);
        await Events.PostAsync(api, Events.Left("old-room", "hal", horizon.AddHours(1), connection: "c8", data: new { joined_at = October.AddMinutes(1) }));
        await app.SettleAsync();
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/rooms/old-room/sessions");
        Assert.Equal(1, sessions.GetProperty("total_count").GetInt32());
        Assert.Equal(horizon.AddHours(1), sessions.GetProperty("data")[0].GetProperty("start_time").GetDateTimeOffset());

        // New calls in the room start sessions as ever.
        await Events.PostAsync(api, Events.Joined("old-room", "ivy", CallscopeApp.Start.AddSeconds(-1), connection: "c10"));
        Assert.True((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{await SessionOf("old-room")}")).GetProperty("session_live").GetBoolean());
    }

    [Fact]
    public async Task A_session_that_begins_the_instant_an_old_one_ends_keeps_it_and_a_live_session_is_never_touched_however_old()
    {
        // Jo's session ends by grace at 10:17 on 3 October, the instant Kim joins and starts a session still live today.
        var at = October.AddDays(2);
        await Events.PostAsync(api,
            Events.Joined("touching-room", "jo", at, connection: "t1"), Events.Left("touching-room", "jo", at.AddMinutes(10), connection: "t1"),
            Events.Joined("touching-room", "kim", at.AddMinutes(17), connection: "t2"));
        await app.SettleAsync();
        await app.Services.GetRequiredService<UsageWorker>().CatchUpAsync(Ct);

        await SetRetentionAsync(30);
        await Worker().RunOnceAsync(Ct);

        var sessions = await ApiAssert.GetAsync(api, "/api/v1/rooms/touching-room/sessions");
        Assert.Equal(2, sessions.GetProperty("total_count").GetInt32());
        Assert.True(sessions.GetProperty("data")[0].GetProperty("live").GetBoolean());
        Assert.Equal(at.AddMinutes(17), sessions.GetProperty("data")[0].GetProperty("start_time").GetDateTimeOffset());
        Assert.Equal(at.AddMinutes(17), sessions.GetProperty("data")[1].GetProperty("end_time").GetDateTimeOffset());
        Assert.Equal(3, Scalar("SELECT COUNT(*) FROM events e JOIN rooms r ON r.id = e.room_id WHERE r.friendly_url = 'touching-room'"));
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms/old-room/sessions")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Small_steps_delete_the_same_as_one_and_retention_off_deletes_nothing()
    {
        var untouched = Counts();
        Assert.Equal(0, await Worker().RunOnceAsync(Ct));
        Assert.Equal(untouched, Counts());

        await SetRetentionAsync(30);
        var small = new RetentionWorker(app.Services.GetRequiredService<CallscopeDatabase>(), app.Services.GetRequiredService<IngestPipeline>(), app.Clock)
        {
            BatchRows = 1, RoomsPerStep = 1,
        };
        var deleted = await small.RunOnceAsync(Ct);

        Assert.Equal(8, deleted);
        Assert.Equal(untouched with { Events = untouched.Events - 5, Sessions = untouched.Sessions - 1, Participants = untouched.Participants - 2 }, Counts());
        Assert.Equal(0, await small.RunOnceAsync(Ct));
    }

    [Fact]
    public async Task A_room_with_more_old_sessions_than_one_step_takes_loses_them_all()
    {
        // Twelve short calls on 2 October, an hour apart: with steps of about 80 rows a step takes ten sessions of a
        // room, and the room's events all fit in what is left of it.
        var calls = Enumerable.Range(0, 12).SelectMany(i => new[]
        {
            Events.Joined("busy-room", "fay", October.AddDays(1).AddHours(i), connection: $"b{i}"),
            Events.Left("busy-room", "fay", October.AddDays(1).AddHours(i).AddMinutes(1), connection: $"b{i}"),
        }).ToArray();
        await Events.PostAsync(api, calls);
        await app.SettleAsync();
        await app.Services.GetRequiredService<UsageWorker>().CatchUpAsync(Ct);
        Assert.Equal(12, (await ApiAssert.GetAsync(api, "/api/v1/rooms/busy-room/sessions")).GetProperty("total_count").GetInt32());

        await SetRetentionAsync(30);
        var steps = new RetentionWorker(app.Services.GetRequiredService<CallscopeDatabase>(), app.Services.GetRequiredService<IngestPipeline>(), app.Clock)
        {
            BatchRows = 80,
        };
        await steps.RunOnceAsync(Ct);

        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms/busy-room/sessions")).GetProperty("total_count").GetInt32());
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM sessions s JOIN rooms r ON r.id = s.room_id WHERE r.friendly_url = 'busy-room' AND r.team_id = @team",
            new { team = app.TeamId.ToString() }));
    }

    [Fact]
    public async Task Retention_days_is_a_team_setting_from_1_to_3650_days_or_null_for_off()
    {
        foreach (var bad in new object?[] { 0, 3651, "30", 1.5, -1 })
        {
            var response = await api.PatchAsJsonAsync("/api/v1/team", new { name = "Renamed", retention_days = bad }, Ct);
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
            Assert.Equal("retention_days", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        }

        var unchanged = await ApiAssert.GetAsync(api, "/api/v1/team");
        Assert.Equal(JsonValueKind.Null, unchanged.GetProperty("retention_days").ValueKind);
        Assert.Equal("Test team", unchanged.GetProperty("name").GetString());

        Assert.Equal(30, (await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", new { retention_days = 30 }, Ct))).GetProperty("retention_days").GetInt32());
        Assert.Equal(30, (await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", new { name = "Kept" }, Ct))).GetProperty("retention_days").GetInt32());
        Assert.Equal(30, (await ApiAssert.GetAsync(api, "/api/v1/team")).GetProperty("retention_days").GetInt32());
        var off = await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", new { retention_days = (int?)null }, Ct));
        Assert.Equal(JsonValueKind.Null, off.GetProperty("retention_days").ValueKind);

        using var otherTeam = app.Api(other.Key);
        Assert.Equal(JsonValueKind.Null, (await ApiAssert.GetAsync(otherTeam, "/api/v1/team")).GetProperty("retention_days").ValueKind);
    }

    private RetentionWorker Worker() => app.Services.GetRequiredService<RetentionWorker>();

    private async Task SetRetentionAsync(int days) =>
        await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", new { retention_days = days }, Ct));

    private async Task<string> SessionOf(string room) =>
        (await ApiAssert.GetAsync(api, $"/api/v1/rooms/{room}/sessions")).GetProperty("data")[0].GetProperty("id").GetString()!;

    private async Task<List<string>> StatisticsAsync()
    {
        var answers = new List<string>();
        foreach (var url in StatisticsUrls)
        {
            // What is live now is not about those periods.
            var answer = System.Text.Json.Nodes.JsonNode.Parse((await ApiAssert.GetAsync(api, url)).GetRawText())!.AsObject();
            foreach (var now in answer.Select(p => p.Key).Where(k => k.StartsWith("live_", StringComparison.Ordinal) || k.StartsWith("ending_soon", StringComparison.Ordinal)).ToList())
            {
                answer.Remove(now);
            }

            answers.Add(answer.ToJsonString());
        }

        return answers;
    }

    /// <summary>An issue, and a webhook delivery with one try, of the session, written as their own code writes them.</summary>
    private void HangOffSession(string session, string tag)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        var args = new { team = app.TeamId.ToString(), session, tag, delivery = $"delivery-{tag}", webhook = "webhook-1" };
        connection.Execute(
            """
            INSERT INTO issues (team_id, id, participant_id, session_id, room_id, kind, severity, started_at, ended_at, connection_id, evidence, summary)
            SELECT team_id, @tag, id, session_id, room_id, 'high_rtt', 0, join_time, NULL, NULL, '{}', 'slow' FROM participants WHERE session_id = @session LIMIT 1
            """, args);
        connection.Execute(
            """
            INSERT INTO webhook_deliveries (id, team_id, webhook_id, message_key, event_type, room_id, session_id, payload, created_at, state, attempts, tries)
            VALUES (@delivery, @team, @webhook, @tag, 'session_ended', NULL, @session, '{}', 0, 'delivered', 1, 1)
            """, args);
        connection.Execute(
            "INSERT INTO webhook_attempts (delivery_id, attempt, webhook_id, started_at, duration_ms, status) VALUES (@delivery, 1, @webhook, 0, 5, 200)", args);
    }

    private long Scalar(string sql, object? args = null)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        return connection.ExecuteScalar<long?>(sql, args) ?? 0;
    }

    private StoreCounts Counts() => new(
        Scalar("SELECT COUNT(*) FROM events"), Scalar("SELECT COUNT(*) FROM sessions"), Scalar("SELECT COUNT(*) FROM participants"),
        Scalar("SELECT COUNT(*) FROM issues"), Scalar("SELECT COUNT(*) FROM webhook_deliveries"), Scalar("SELECT COUNT(*) FROM webhook_attempts"),
        Scalar("SELECT COUNT(*) FROM usage_rollups"));

    private sealed record StoreCounts(long Events, long Sessions, long Participants, long Issues, long Deliveries, long Attempts, long Rollups);
}
