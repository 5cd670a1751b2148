using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.DigitalSamba;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Statistics;

/// <summary>The statistics endpoints answer the figures of <see cref="UsageHistory"/>, on the store the suite runs on.</summary>
public sealed class StatisticsFiguresTests(UsageHistory history) : IClassFixture<UsageHistory>
{
    private HttpClient Api => history.Api;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_days_count_every_minute_by_device_the_sessions_started_and_the_peaks()
    {
        var s = await ApiAssert.GetAsync(Api, "/api/v1/statistics?date_start=2026-11-23&date_end=2026-11-24");

        Assert.Equal(125, s.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(60, s.GetProperty("desktop_participation_minutes").GetDouble());
        Assert.Equal(30, s.GetProperty("mobile_participation_minutes").GetDouble());
        Assert.Equal(25, s.GetProperty("tablet_participation_minutes").GetDouble());
        Assert.Equal(10, s.GetProperty("smarttv_participation_minutes").GetDouble());
        Assert.Equal(4, s.GetProperty("active_participants").GetInt32());
        Assert.Equal([1, 1, 1, 1], Devices(s, "_participants"));
        Assert.Equal(3, s.GetProperty("sessions").GetInt32());
        Assert.Equal(2, s.GetProperty("rooms").GetInt32());
        Assert.Equal(2, s.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal(3, s.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(2, s.GetProperty("max_concurrent_participants_per_session").GetInt32());
        Assert.Equal(1, s.GetProperty("live_participants").GetInt32());
        Assert.Equal("2026-11-23", s.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-24", s.GetProperty("date_end").GetString());
    }

    [Fact]
    public async Task A_session_across_midnight_is_split_between_its_days_and_an_empty_ending_soon_session_never_counts_as_concurrent()
    {
        var first = await ApiAssert.GetAsync(Api, "/api/v1/statistics?date_start=2026-11-23&date_end=2026-11-23");
        var second = await ApiAssert.GetAsync(Api, "/api/v1/statistics?date_start=2026-11-24&date_end=2026-11-24");

        Assert.Equal(75, first.GetProperty("participation_minutes").GetDouble());
        Assert.Equal([30, 20, 25, 0], Devices(first, "_participation_minutes"));
        Assert.Equal(2, first.GetProperty("sessions").GetInt32());
        Assert.Equal(3, first.GetProperty("active_participants").GetInt32());
        Assert.Equal(1, first.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal(2, first.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(50, second.GetProperty("participation_minutes").GetDouble());
        Assert.Equal([30, 10, 0, 10], Devices(second, "_participation_minutes"));
        Assert.Equal(1, second.GetProperty("sessions").GetInt32());
        Assert.Equal(1, second.GetProperty("rooms").GetInt32());
        Assert.Equal(1, second.GetProperty("active_participants").GetInt32());
        Assert.Equal([0, 0, 0, 1], Devices(second, "_participants"));
        Assert.Equal(2, second.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal(3, second.GetProperty("max_concurrent_participants").GetInt32());
    }

    [Fact]
    public async Task Rfc_3339_bounds_take_that_exact_stretch_with_the_end_excluded()
    {
        var s = await ApiAssert.GetAsync(Api, "/api/v1/statistics?date_start=2026-11-24T00:00:00Z&date_end=2026-11-24T00:10:00Z");

        Assert.Equal(25, s.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(1, s.GetProperty("sessions").GetInt32());
        Assert.Equal(2, s.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal("2026-11-24", s.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-24", s.GetProperty("date_end").GetString());
    }

    [Fact]
    public async Task Without_dates_and_for_the_current_period_the_figures_run_from_the_first_of_the_month_to_now()
    {
        var plain = await ApiAssert.GetAsync(Api, "/api/v1/statistics");
        var team = await ApiAssert.GetAsync(Api, "/api/v1/statistics/team/current");
        var current = await ApiAssert.GetAsync(Api, "/api/v1/statistics/current");

        foreach (var s in (JsonElement[])[plain, team])
        {
            Assert.Equal(130, s.GetProperty("participation_minutes").GetDouble());
            Assert.Equal([65, 30, 25, 10], Devices(s, "_participation_minutes"));
            Assert.Equal(5, s.GetProperty("active_participants").GetInt32());
            Assert.Equal(4, s.GetProperty("sessions").GetInt32());
            Assert.Equal(2, s.GetProperty("rooms").GetInt32());
            Assert.Equal("2026-11-01", s.GetProperty("date_start").GetString());
            Assert.Equal("2026-11-25", s.GetProperty("date_end").GetString());
        }

        Assert.Equal(130, current.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(2, current.GetProperty("max_concurrent_sessions").GetInt32());
        Assert.Equal(3, current.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(1, current.GetProperty("live_sessions").GetInt32());
        Assert.Equal(0, current.GetProperty("ending_soon_sessions").GetInt32());
        Assert.Equal(1, current.GetProperty("live_participants").GetInt32());
        Assert.Equal("2026-11-01", current.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-25", current.GetProperty("date_end").GetString());
        Assert.Equal("2026-11-01T00:00:00.000Z", current.GetProperty("period_start").GetString());
    }

    [Fact]
    public async Task A_rooms_statistics_carry_its_fields_its_own_figures_and_its_live_participants()
    {
        var beta = await ApiAssert.GetAsync(Api, "/api/v1/rooms/beta/statistics?date_start=2026-11-23&date_end=2026-11-24");
        var alpha = await ApiAssert.GetAsync(Api, $"/api/v1/rooms/{history.AlphaId}/statistics/current");

        Assert.Equal(history.BetaId, beta.GetProperty("room_id").GetString());
        Assert.Equal("beta", beta.GetProperty("room_friendly_url").GetString());
        Assert.Equal("Beta room", beta.GetProperty("room_description").GetString());
        Assert.Equal(JsonValueKind.Null, beta.GetProperty("room_max_participants").ValueKind);
        Assert.False(beta.GetProperty("room_is_deleted").GetBoolean());
        Assert.Equal(35, beta.GetProperty("participation_minutes").GetDouble());
        Assert.Equal([0, 0, 25, 10], Devices(beta, "_participation_minutes"));
        Assert.Equal(2, beta.GetProperty("sessions").GetInt32());
        Assert.Equal(2, beta.GetProperty("active_participants").GetInt32());
        Assert.Equal(1, beta.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(0, beta.GetProperty("live_participants").GetInt32());
        Assert.Equal(8, alpha.GetProperty("room_max_participants").GetInt32());
        Assert.Equal(95, alpha.GetProperty("participation_minutes").GetDouble());
        Assert.Equal([65, 30, 0, 0], Devices(alpha, "_participation_minutes"));
        Assert.Equal(2, alpha.GetProperty("sessions").GetInt32());
        Assert.Equal(3, alpha.GetProperty("active_participants").GetInt32());
        Assert.Equal(2, alpha.GetProperty("max_concurrent_participants").GetInt32());
        Assert.Equal(1, alpha.GetProperty("live_participants").GetInt32());
        Assert.Equal("2026-11-01", alpha.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-25", alpha.GetProperty("date_end").GetString());
    }

    [Theory]
    [InlineData("/api/v1/statistics?date_start=2026-11-23&date_end=2026-11-24", "GET /api/v1/statistics")]
    [InlineData("/api/v1/statistics/team/current", "GET /api/v1/statistics/team/current")]
    [InlineData("/api/v1/statistics/current", "GET /api/v1/statistics/current")]
    [InlineData("/api/v1/rooms/beta/statistics?date_start=2026-11-23&date_end=2026-11-24", "GET /api/v1/rooms/{room}/statistics")]
    [InlineData("/api/v1/rooms/alpha/statistics/current", "GET /api/v1/rooms/{room}/statistics/current")]
    public async Task Every_field_of_digital_sambas_example_is_there_with_its_json_kind(string url, string operation)
    {
        var answer = await ApiAssert.GetAsync(Api, url);

        Assert.Empty(DigitalSambaContract.Mismatches(DigitalSambaContract.Operations.Single(o => o.ToString() == operation), answer));
    }

    [Fact]
    public async Task Fields_callscope_has_no_source_for_are_zero_on_the_period_statistics()
    {
        var team = await ApiAssert.GetAsync(Api, "/api/v1/statistics?date_start=2026-11-23&date_end=2026-11-24");
        var room = await ApiAssert.GetAsync(Api, "/api/v1/rooms/alpha/statistics?date_start=2026-11-23&date_end=2026-11-24");

        foreach (var name in (string[])["broadcasted_minutes", "subscribed_minutes", "recorded_minutes", "public_chat_posts", "polls", "summaries"])
        {
            Assert.Equal(0, team.GetProperty(name).GetDouble());
            Assert.Equal(0, room.GetProperty(name).GetDouble());
        }

        Assert.Equal(JsonValueKind.Null, room.GetProperty("room_privacy").ValueKind);
        Assert.Equal(JsonValueKind.Null, room.GetProperty("room_source").ValueKind);
    }

    [Fact]
    public async Task Another_teams_room_is_not_found()
    {
        var (_, key) = history.App.CreateTeam("Statistics neighbours");
        using var other = history.App.Api(key);

        foreach (var path in (string[])[$"/api/v1/rooms/{history.AlphaId}/statistics", $"/api/v1/rooms/{history.AlphaId}/statistics/current",
            "/api/v1/rooms/alpha/statistics", "/api/v1/rooms/alpha/statistics/current"])
        {
            await ApiAssert.ProblemAsync(await other.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        }

        var theirs = await ApiAssert.GetAsync(other, "/api/v1/statistics?date_start=2026-11-23&date_end=2026-11-24");
        Assert.Equal(0, theirs.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(0, theirs.GetProperty("sessions").GetInt32());
    }

    [Fact]
    public async Task A_day_timeline_has_a_point_per_day_with_the_days_figures_and_the_teams_limit()
    {
        var t = await ApiAssert.GetAsync(Api, "/api/v1/statistics/timeline?date_start=2026-11-23&date_end=2026-11-24");

        Assert.Equal(2, t.GetProperty("points").GetArrayLength());
        Assert.Equal("day", t.GetProperty("interval").GetString());
        Assert.Equal("2026-11-23", t.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-24", t.GetProperty("date_end").GetString());
        Assert.Equal(JsonValueKind.Null, t.GetProperty("max_sessions").ValueKind);
        var data = t.GetProperty("points");
        Assert.Equal(["2026-11-23T00:00:00.000Z", "2026-11-24T00:00:00.000Z"], data.EnumerateArray().Select(p => p.GetProperty("start").GetString()));
        Assert.Equal("2026-11-25T00:00:00.000Z", data[1].GetProperty("end").GetString());
        Assert.Equal([1, 2, 75, 30, 20, 25, 0, 2], Figures(data[0]));
        Assert.Equal([2, 3, 50, 30, 10, 0, 10, 1], Figures(data[1]));
    }

    [Fact]
    public async Task An_hour_timeline_over_exact_times_and_a_minute_timeline_over_two_whole_days()
    {
        var hours = await ApiAssert.GetAsync(Api, "/api/v1/statistics/timeline?interval=hour&date_start=2026-11-23T23:00:00Z&date_end=2026-11-24T01:00:00Z");
        var minutes = await ApiAssert.GetAsync(Api, "/api/v1/statistics/timeline?interval=minute&date_start=2026-11-23&date_end=2026-11-24");

        Assert.Equal("hour", hours.GetProperty("interval").GetString());
        Assert.Equal([1, 2, 75, 30, 20, 25, 0, 2], Figures(hours.GetProperty("points")[0]));
        Assert.Equal([2, 3, 50, 30, 10, 0, 10, 1], Figures(hours.GetProperty("points")[1]));
        Assert.Equal(2 * 24 * 60, minutes.GetProperty("points").GetArrayLength());
        var busiest = minutes.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("start").GetString() == "2026-11-24T00:07:00.000Z");
        Assert.Equal([2, 3, 3, 1, 1, 0, 1, 0], Figures(busiest));
        Assert.Equal(125, minutes.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("participation_minutes").GetDouble()), 6);
    }

    [Fact]
    public async Task A_timeline_stops_at_now()
    {
        var t = await ApiAssert.GetAsync(Api, "/api/v1/statistics/timeline?date_start=2026-11-23&date_end=2026-11-30");

        Assert.Equal(3, t.GetProperty("points").GetArrayLength());
        Assert.Equal("2026-11-30", t.GetProperty("date_end").GetString());
        Assert.Equal(5, t.GetProperty("points")[2].GetProperty("participation_minutes").GetDouble());
    }

    private static double[] Devices(JsonElement s, string suffix) =>
        [.. ((string[])["desktop", "mobile", "tablet", "smarttv"]).Select(d => s.GetProperty(d + suffix).GetDouble())];

    /// <summary>A timeline point's figures in the order of its fields after start and end.</summary>
    private static double[] Figures(JsonElement point) =>
    [
        .. ((string[])["max_concurrent_sessions", "max_concurrent_participants", "participation_minutes", "desktop_participation_minutes",
            "mobile_participation_minutes", "tablet_participation_minutes", "smarttv_participation_minutes", "sessions"])
            .Select(n => point.GetProperty(n).GetDouble()),
    ];
}
