using System.Net;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Statistics;

/// <summary>
/// A team whose usage period starts on the 24th: with the clock at 2026-11-25 10:00 UTC its current period runs from
/// 24 November, so a call on the 23rd falls in the last period and one on the 24th in this one.
/// </summary>
public sealed class PeriodStartDayTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        var day23 = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        await Events.PostAsync(api,
            Events.Joined("north", "ann", day23), Events.Left("north", "ann", day23.AddMinutes(30)),
            Events.Joined("north", "bob", day23.AddDays(1)), Events.Left("north", "bob", day23.AddDays(1).AddMinutes(20)));
        await app.SettleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_current_period_is_the_calendar_month_until_the_team_sets_another_start_day()
    {
        var team = await ApiAssert.GetAsync(api, "/api/v1/team");
        var before = await ApiAssert.GetAsync(api, "/api/v1/statistics/team/current");

        Assert.Equal(1, team.GetProperty("period_start_day").GetInt32());
        Assert.Equal("2026-11-01", before.GetProperty("date_start").GetString());
        Assert.Equal(50, before.GetProperty("participation_minutes").GetDouble());

        var changed = await ApiAssert.OkAsync(await api.PatchAsync("/api/v1/team", SessionLifecycleTests.Json(new { period_start_day = 24 }), Ct));
        var teamCurrent = await ApiAssert.GetAsync(api, "/api/v1/statistics/team/current");
        var current = await ApiAssert.GetAsync(api, "/api/v1/statistics/current");
        var room = await ApiAssert.GetAsync(api, "/api/v1/rooms/north/statistics/current");
        var undated = await ApiAssert.GetAsync(api, "/api/v1/statistics");

        Assert.Equal(24, changed.GetProperty("period_start_day").GetInt32());
        Assert.Equal(420, changed.GetProperty("grace_period").GetInt32());
        foreach (var answer in (System.Text.Json.JsonElement[])[teamCurrent, room, undated])
        {
            Assert.Equal("2026-11-24", answer.GetProperty("date_start").GetString());
            Assert.Equal("2026-11-25", answer.GetProperty("date_end").GetString());
            Assert.Equal(20, answer.GetProperty("participation_minutes").GetDouble());
            Assert.Equal(1, answer.GetProperty("sessions").GetInt32());
        }

        Assert.Equal("2026-11-24", current.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-24T00:00:00.000Z", current.GetProperty("period_start").GetString());
        Assert.Equal(20, current.GetProperty("participation_minutes").GetDouble());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("29")]
    [InlineData("1.5")]
    [InlineData("\"15\"")]
    [InlineData("null")]
    public async Task A_start_day_outside_1_to_28_is_a_400_that_names_it_and_changes_nothing(string value)
    {
        using var body = new StringContent($$"""{"name": "Renamed", "period_start_day": {{value}}}""", System.Text.Encoding.UTF8, "application/json");
        var problem = await ApiAssert.ProblemAsync(await api.PatchAsync("/api/v1/team", body, Ct), HttpStatusCode.BadRequest, "validation-failed");
        var team = await ApiAssert.GetAsync(api, "/api/v1/team");

        Assert.Contains("period_start_day", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(1, team.GetProperty("period_start_day").GetInt32());
        Assert.NotEqual("Renamed", team.GetProperty("name").GetString());
    }
}
