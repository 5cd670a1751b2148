using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Diagnosis;

/// <summary>
/// The kept issues through the API: found from ingested events by the diagnosis worker, listed per session and per
/// participant, counted on list items, filtered on, and found again when the team's thresholds change. Runs on the
/// store the suite runs on (SQLite, or PostgreSQL with CALLSCOPE_TEST_PROVIDER=postgres).
/// </summary>
public sealed class IssueApiTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(-30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lossy_participant_gets_one_packet_loss_issue_with_its_evidence_and_the_healthy_one_none()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, [.. LossyCall("standup", lossFrom: 2, lossUntil: 12, samples: 16)]);

        var session = await OnlySessionAsync(api);
        var issues = await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() > 0);

        var issue = Assert.Single(issues.EnumerateArray());
        Assert.Equal("high_packet_loss", issue.GetProperty("kind").GetString());
        Assert.Equal("warning", issue.GetProperty("severity").GetString());
        Assert.Equal("ANA", issue.GetProperty("participant_name").GetString());
        Assert.Equal("ana", issue.GetProperty("participant_external_id").GetString());
        Assert.Equal("c-ana", issue.GetProperty("connection_id").GetString());
        Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("summary").GetString()));
        var evidence = issue.GetProperty("evidence");
        Assert.Equal("packet_loss_pct", evidence.GetProperty("metric").GetString());
        Assert.Equal(3, evidence.GetProperty("threshold").GetDouble());
        Assert.Equal(8, evidence.GetProperty("worst").GetDouble());
        Assert.True(evidence.GetProperty("count").GetInt32() >= 7, issue.ToString());
        Assert.All(evidence.GetProperty("samples").EnumerateArray(), s => Assert.StartsWith("q-ana-", s.GetProperty("event_id").GetString(), StringComparison.Ordinal));
        // Loss went back to 0 after the tenth lossy sample: the issue has a time range.
        Assert.False(issue.GetProperty("ongoing").GetBoolean());
        Assert.True(issue.GetProperty("ended_at").GetDateTimeOffset() > issue.GetProperty("started_at").GetDateTimeOffset());

        var ana = issue.GetProperty("participant_id").GetString();
        var byParticipant = await ApiAssert.GetAsync(api, $"/api/v1/participants/{ana}/issues");
        Assert.Equal(1, byParticipant.GetProperty("total_count").GetInt32());
        Assert.Equal(issue.GetProperty("id").GetString(), byParticipant.GetProperty("data")[0].GetProperty("id").GetString());

        var participants = (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/participants")).GetProperty("data").EnumerateArray()
            .ToDictionary(p => p.GetProperty("external_id").GetString()!, p => p.GetProperty("issues"));
        Assert.Equal((1, 0, "warning"), Counts(participants["ana"]));
        Assert.Equal((0, 0, null), Counts(participants["bob"]));
        var item = (await ApiAssert.GetAsync(api, "/api/v1/sessions")).GetProperty("data")[0];
        Assert.Equal((1, 0, "warning"), Counts(item.GetProperty("issues")));
        Assert.Equal((1, 0, "warning"), Counts((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}")).GetProperty("issues")));
    }

    [Fact]
    public async Task Has_issues_filters_sessions_and_participants_both_ways()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, [.. LossyCall("troubled", lossFrom: 0, lossUntil: 10, samples: 10)]);
        await Events.PostAsync(api, [.. LossyCall("calm", lossFrom: 0, lossUntil: 0, samples: 10)]);
        await IssuesAsync(api, "/api/v1/sessions?has_issues=true", data => data.GetArrayLength() == 1);

        Assert.Equal(["troubled"], await NamesAsync(api, "/api/v1/sessions?has_issues=true", "friendly_url"));
        Assert.Equal(["calm"], await NamesAsync(api, "/api/v1/sessions?has_issues=false", "friendly_url"));
        Assert.Equal(1, (await ApiAssert.GetAsync(api, "/api/v1/sessions?has_issues=true")).GetProperty("total_count").GetInt32());
        Assert.Equal(["ana"], await NamesAsync(api, "/api/v1/participants?has_issues=true", "external_id"));
        Assert.Equal(3, (await ApiAssert.GetAsync(api, "/api/v1/participants?has_issues=false")).GetProperty("total_count").GetInt32());
        await ApiAssert.ProblemAsync(await api.GetAsync("/api/v1/sessions?has_issues=maybe", Ct), HttpStatusCode.BadRequest, "validation-failed");
    }

    [Fact]
    public async Task An_issue_that_still_holds_is_ongoing_until_its_participant_leaves()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        var call = LossyCall("standup", lossFrom: 0, lossUntil: 10, samples: 10, leave: false);
        await Events.PostAsync(api, [.. call]);
        var session = await OnlySessionAsync(api);

        var ongoing = (await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 1))[0];
        Assert.True(ongoing.GetProperty("ongoing").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ongoing.GetProperty("ended_at").ValueKind);

        await Events.PostAsync(api, Events.Left("standup", "ana", T.AddSeconds(60), connection: "c-ana"));
        var ended = (await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 1 && i[0].GetProperty("ended_at").ValueKind != JsonValueKind.Null))[0];
        Assert.Equal(T.AddSeconds(60), ended.GetProperty("ended_at").GetDateTimeOffset());
        Assert.Equal(ongoing.GetProperty("id").GetString(), ended.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Changing_a_threshold_finds_the_issues_again_and_bad_settings_change_nothing()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, [.. LossyCall("standup", lossFrom: 0, lossUntil: 10, samples: 10)]);
        var session = await OnlySessionAsync(api);
        await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 1);

        var defaults = await ApiAssert.GetAsync(api, "/api/v1/team/diagnosis");
        Assert.Equal(3, defaults.GetProperty("packet_loss_pct").GetDouble());
        Assert.Equal(400, defaults.GetProperty("rtt_ms").GetDouble());

        foreach (var bad in new object[] { new { packet_loss_pct = -1 }, new { packet_loss_pct = "high" }, new { sample_window = 2.5 }, new { nonsense = 1 }, new { crossings_needed = 6 } })
        {
            var response = await api.PatchAsJsonAsync("/api/v1/team/diagnosis", bad, Ct);
            await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        }

        Assert.Equal(defaults.ToString(), (await ApiAssert.GetAsync(api, "/api/v1/team/diagnosis")).ToString());

        var changed = await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team/diagnosis", new { packet_loss_pct = 10 }, Ct));
        Assert.Equal(10, changed.GetProperty("packet_loss_pct").GetDouble());
        Assert.Equal(400, changed.GetProperty("rtt_ms").GetDouble());
        await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 0);
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/sessions?has_issues=true")).GetProperty("total_count").GetInt32());

        await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team/diagnosis", new { packet_loss_pct = 3 }, Ct));
        await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 1);
    }

    [Fact]
    public async Task Unknown_ids_and_bad_filters_get_problems()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, [.. LossyCall("standup", lossFrom: 0, lossUntil: 10, samples: 10)]);
        var session = await OnlySessionAsync(api);

        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/sessions/{Guid.NewGuid()}/issues", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.GetAsync("/api/v1/participants/not-an-id/issues", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/sessions/{session}/issues?severity=fatal", Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/sessions/{session}/issues?kind=gremlins", Ct), HttpStatusCode.BadRequest, "validation-failed");

        await IssuesAsync(api, $"/api/v1/sessions/{session}/issues", i => i.GetArrayLength() == 1);
        Assert.Equal(1, (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/issues?kind=high_packet_loss,high_rtt")).GetProperty("total_count").GetInt32());
        Assert.Equal(0, (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/issues?severity=error")).GetProperty("total_count").GetInt32());
    }

    /// <summary>
    /// Ana and Bob join at T; each sends a sample every 5 s. Ana's loss is 8 % for samples [lossFrom, lossUntil) and 0
    /// otherwise; Bob's is always 0.5 %. Both leave after the last sample unless told not to.
    /// </summary>
    internal static List<object> LossyCall(string room, int lossFrom, int lossUntil, int samples, bool leave = true)
    {
        var events = new List<object> { Events.Joined(room, "ana", T, connection: "c-ana"), Events.Joined(room, "bob", T, connection: "c-bob") };
        for (var i = 0; i < samples; i++)
        {
            var at = T.AddSeconds(5 * (i + 1));
            var loss = i >= lossFrom && i < lossUntil ? 8.0 : 0.0;
            events.Add(Events.Of("quality_sample", room, "ana", at, new { packet_loss_pct = loss, rtt_ms = 80, jitter_ms = 6 }, "c-ana", $"q-ana-{room}-{i}"));
            events.Add(Events.Of("quality_sample", room, "bob", at, new { packet_loss_pct = 0.5, rtt_ms = 60, jitter_ms = 4 }, "c-bob", $"q-bob-{room}-{i}"));
        }

        if (leave)
        {
            var end = T.AddSeconds(5 * (samples + 1));
            events.Add(Events.Left(room, "ana", end, connection: "c-ana"));
            events.Add(Events.Left(room, "bob", end, connection: "c-bob"));
        }

        return events;
    }

    /// <summary>
    /// Reads a list until its data satisfies <paramref name="done"/>: the worker keeps issues up to date within about
    /// two seconds of the events; this waits up to ten so a loaded machine cannot fail it.
    /// </summary>
    internal static async Task<JsonElement> IssuesAsync(HttpClient api, string url, Func<JsonElement, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var data = (await ApiAssert.GetAsync(api, url)).GetProperty("data");
            if (done(data))
            {
                return data;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{url} did not come to the expected issues: {data}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<string> OnlySessionAsync(HttpClient api) =>
        (await ApiAssert.GetAsync(api, "/api/v1/sessions")).GetProperty("data").EnumerateArray().Single().GetProperty("id").GetString()!;

    private static async Task<string[]> NamesAsync(HttpClient api, string url, string field) =>
        [.. (await ApiAssert.GetAsync(api, url)).GetProperty("data").EnumerateArray().Select(s => s.GetProperty(field).GetString()!).Order()];

    private static (int, int, string?) Counts(JsonElement issues) =>
        (issues.GetProperty("warnings").GetInt32(), issues.GetProperty("errors").GetInt32(), issues.GetProperty("worst").GetString());
}
