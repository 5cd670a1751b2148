using System.Net;
using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Audit;
using Callscope.Data.Teams;
using Callscope.Server.Audit;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.Security;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Callscope.Server.Tests.Audit.AuditKit;

namespace Callscope.Server.Tests.Audit;

/// <summary>
/// <c>GET /api/v1/audit</c>: admins only, one team's entries, newest first, its filters and paging, its refusals, and
/// the audit retention.
/// </summary>
public sealed class AuditApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Records one entry of each of three kinds a day apart (7 in all): data.deleted by the system, settings by a member,
    /// webhooks by the key. The entries are recorded now and then dated a day apart in the store: moving the test clock
    /// a week would run every timer of the server through each of its ticks.
    /// </summary>
    private static async Task<List<DateTimeOffset>> RecordWeekAsync(CallscopeApp app, Core.TeamId team)
    {
        var audit = app.Services.GetRequiredService<AuditLog>();
        var member = Guid.CreateVersion7();
        var times = new List<DateTimeOffset>();
        for (var day = 0; day < 7; day++)
        {
            times.Add(app.Clock.GetUtcNow().AddDays(day));
            var (actor, action) = (day % 3) switch
            {
                0 => (AuditActor.System, AuditActions.DataDeleted),
                1 => (AuditActor.Member(member, "Some.Admin@Example.test"), AuditActions.TeamSettingsChanged),
                _ => (AuditActor.DeveloperKey, AuditActions.WebhookCreated),
            };
            await audit.RecordAsync(team, actor, action, AuditTarget.Team(team), new() { ["day"] = day }, cancellationToken: Ct);
            Redate(app, team, day, times[day]);
        }

        return times;
    }

    /// <summary>Gives the team's entry of this day (<c>details.day</c>) another time in the store.</summary>
    private static void Redate(CallscopeApp app, Core.TeamId team, int day, DateTimeOffset at)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        var changed = connection.Execute("UPDATE audit_log SET at = @at WHERE team_id = @team AND details = @details",
            new { at = at.ToUnixTimeMilliseconds(), team = team.ToString(), details = $"{{\"day\":{day}}}" });
        Assert.True(changed > 0, $"no entry of day {day} to date");
    }

    private static int Day(JsonElement entry) => entry.GetProperty("details").GetProperty("day").GetInt32();

    [Fact]
    public async Task Entries_list_newest_first_with_filters_and_paging_by_offset_and_by_cursor()
    {
        using var app = new CallscopeApp();
        var api = app.Api();
        var times = await RecordWeekAsync(app, app.TeamId);

        var page = await ApiAssert.GetAsync(api, "/api/v1/audit");
        Assert.Equal(7, page.GetProperty("total_count").GetInt32());
        Assert.Equal([6, 5, 4, 3, 2, 1, 0], page.GetProperty("data").EnumerateArray().Select(Day));
        var first = page.GetProperty("data")[6];
        Assert.Equal("data.deleted", first.GetProperty("action").GetString());
        Assert.Equal("2026-11-25T10:00:00.000Z", first.GetProperty("created_at").GetString());
        Assert.Equal(("system", "team", app.TeamId.ToString()), (Actor(first), TargetType(first), TargetId(first)));

        Assert.Equal([0, 1, 2], (await EntriesAsync(api, "order=asc&limit=3")).Select(Day));
        Assert.Equal([3, 2], (await EntriesAsync(api, "limit=2&offset=3")).Select(Day));
        var cursor = (await EntriesAsync(api, "limit=2"))[1].GetProperty("id").GetString();
        Assert.Equal([4, 3], (await EntriesAsync(api, $"limit=2&after={cursor}")).Select(Day));
        Assert.Equal([6], (await EntriesAsync(api, $"order=asc&after={cursor}")).Select(Day));

        Assert.Equal([6, 3, 0], (await EntriesAsync(api, "action=data.deleted")).Select(Day));
        Assert.Equal([5, 2], (await EntriesAsync(api, "action=webhook.*")).Select(Day));
        Assert.Equal([4, 1], (await EntriesAsync(api, "actor=member")).Select(Day));
        Assert.Equal([4, 1], (await EntriesAsync(api, "actor=some.admin@example.TEST")).Select(Day));
        var memberId = (await EntriesAsync(api, "actor=member"))[0].GetProperty("actor").GetProperty("id").GetString();
        Assert.Equal([4, 1], (await EntriesAsync(api, "actor=" + memberId)).Select(Day));
        Assert.Equal([6, 3, 0], (await EntriesAsync(api, "actor=system")).Select(Day));
        Assert.Empty(await EntriesAsync(api, "actor=nobody@example.test"));

        var from = Uri.EscapeDataString(times[2].ToString("O"));
        var to = Uri.EscapeDataString(times[4].ToString("O"));
        Assert.Equal([4, 3, 2], (await EntriesAsync(api, $"date_start={from}&date_end={to}")).Select(Day));
        Assert.Equal([1], (await EntriesAsync(api, "date_start=2026-11-26&date_end=2026-11-26")).Select(Day));
        var filtered = await ApiAssert.GetAsync(api, "/api/v1/audit?actor=developer_key&date_start=2026-11-28");
        Assert.Equal(1, filtered.GetProperty("total_count").GetInt32());
    }

    [Theory]
    [InlineData("action=session.started", "action")]
    [InlineData("action=nothing.*", "action")]
    [InlineData("action=session.ended&action=room.deleted", "action")]
    [InlineData("date_start=yesterday", "date_start")]
    [InlineData("date_end=2026-13-01", "date_end")]
    [InlineData("date_start=2026-11-30&date_end=2026-11-29", "date_end")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("order=newest", "order")]
    [InlineData("after=0199e4a0-0000-7000-8000-000000000000", "after")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        using var app = new CallscopeApp();
        var api = app.Api();

        var problem = await ApiAssert.ProblemAsync(await api.GetAsync("/api/v1/audit?" + query, Ct), HttpStatusCode.BadRequest, "validation-failed");
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task A_too_long_actor_is_a_400()
    {
        using var app = new CallscopeApp();
        var problem = await ApiAssert.ProblemAsync(await app.Api().GetAsync("/api/v1/audit?actor=" + new string('a', 101), Ct), HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal("actor", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_team_never_sees_another_teams_entries_and_a_cursor_of_another_team_is_unknown()
    {
        using var app = new CallscopeApp();
        var (other, otherKey) = app.CreateTeam("Other team");
        await RecordWeekAsync(app, app.TeamId);
        await app.Services.GetRequiredService<AuditLog>().RecordAsync(other, AuditActor.System, AuditActions.DataDeleted, AuditTarget.Team(other),
            new() { ["day"] = 99 }, cancellationToken: Ct);

        var theirs = await ApiAssert.GetAsync(app.Api(otherKey), "/api/v1/audit");
        Assert.Equal(1, theirs.GetProperty("total_count").GetInt32());
        Assert.Equal(99, Day(theirs.GetProperty("data")[0]));
        Assert.Equal(7, (await ApiAssert.GetAsync(app.Api(), "/api/v1/audit")).GetProperty("total_count").GetInt32());

        var ours = (await EntriesAsync(app.Api()))[0].GetProperty("id").GetString();
        await ApiAssert.ProblemAsync(await app.Api(otherKey).GetAsync($"/api/v1/audit?after={ours}", Ct), HttpStatusCode.BadRequest, "validation-failed");
    }

    [Fact]
    public async Task Viewers_are_refused_and_admins_read_the_log_with_their_sign_in()
    {
        using var app = new CallscopeApp();
        SignedIn.AddMember(app, "viewer@example.test", Roles.Viewer);
        using var viewer = await SignedIn.AsAsync(app, "viewer@example.test", "viewer-password-2468");
        await ApiAssert.ProblemAsync(await viewer.Client.GetAsync("/api/v1/audit", Ct), HttpStatusCode.Forbidden, "forbidden");
        var page = await viewer.Client.GetAsync("/audit", Ct);
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("href=\"/audit\"", await (await viewer.Client.GetAsync("/", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        await ApiAssert.ProblemAsync(await app.CreateClient().GetAsync("/api/v1/audit", Ct), HttpStatusCode.Unauthorized, "unauthorized");

        using var admin = await SignedIn.AsAdminAsync(app);
        var entries = await EntriesAsync(admin.Client, "action=sign_in.succeeded");
        Assert.Equal([CallscopeApp.AdminEmail, "viewer@example.test"], entries.Select(ActorEmail));
        Assert.Contains("href=\"/audit\"", await (await admin.Client.GetAsync("/", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync("/audit?action=sign_in.succeeded", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_audit_endpoint_with_its_filters()
    {
        using var app = new CallscopeApp();
        var openApi = await ApiAssert.GetAsync(app.CreateClient(), "/openapi/v1.json");
        var get = openApi.GetProperty("paths").GetProperty("/api/v1/audit").GetProperty("get");
        Assert.Equal("ListAuditEntries", get.GetProperty("operationId").GetString());
        var names = get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string?> { "action", "actor", "date_start", "date_end", "limit", "offset", "order", "after" });
    }

    [Fact]
    public async Task Retention_deletes_entries_older_than_its_days_in_batches_and_keeps_the_rest()
    {
        using var app = new CallscopeApp();
        app.Settings["Callscope:Audit:RetentionDays"] = "1";
        app.Settings["Callscope:Audit:BatchSize"] = "2";
        var api = app.Api();
        var audit = app.Services.GetRequiredService<AuditLog>();
        var retention = app.Services.GetRequiredService<AuditRetention>();
        for (var i = 0; i < 5; i++)
        {
            await audit.RecordAsync(app.TeamId, AuditActor.System, AuditActions.DataDeleted, AuditTarget.Team(app.TeamId), new() { ["day"] = 0 }, cancellationToken: Ct);
        }

        await audit.RecordAsync(app.TeamId, AuditActor.System, AuditActions.DataDeleted, AuditTarget.Team(app.TeamId), new() { ["day"] = 1 }, cancellationToken: Ct);

        // The entries are dated back rather than the clock moved on (see RecordWeekAsync). First 12 hours old and new.
        var now = app.Clock.GetUtcNow();
        Redate(app, app.TeamId, 0, now.AddHours(-12));
        await retention.SweepAsync(Ct);
        Assert.Equal(6, (await EntriesAsync(api)).Count);

        // The first five 25 hours old: they go, in batches of two, two and one; the one 13 hours old stays.
        Redate(app, app.TeamId, 0, now.AddHours(-25));
        Redate(app, app.TeamId, 1, now.AddHours(-13));
        await retention.SweepAsync(Ct);
        Assert.Equal([1], (await EntriesAsync(api)).Select(Day));

        Redate(app, app.TeamId, 1, now.AddHours(-25));
        await retention.SweepAsync(Ct);
        Assert.Empty(await EntriesAsync(api));
    }
}
