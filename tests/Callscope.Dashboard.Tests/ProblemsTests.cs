using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The problems the diagnosis keeps, as the dashboard shows them: the badge and the filter on the sessions list, the
/// Problems panel and the marked timeline on the session record, the issue cards and the shaded chart on the participant
/// record, and the thresholds on Settings. The worker finds issues about a second after the events; the assertions
/// poll the page (live updates swap the regions in), never sleep.
/// </summary>
public sealed partial class ProblemsTests(BrowserFixture browser) : DashboardTest(browser)
{
    /// <summary>Ana's first sample; she and Ben send one every 5 s.</summary>
    private static readonly DateTimeOffset T = Start.AddMinutes(-10);

    [Fact]
    public async Task A_lossy_participant_shows_a_badge_a_filtered_list_the_problems_panel_and_an_issue_card_with_its_numbers()
    {
        await IngestAsync([.. LossyCall("support-desk"), .. HealthyCall("daily-standup"), .. FailedCall("sales-demo")]);
        await SignInAsync();

        // The list: a warning badge on the lossy call, an error badge on the failed one, none on the healthy one.
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" });
        var lossy = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "support-desk" });
        var failed = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "sales-demo" });
        var healthy = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "daily-standup" });
        await Expect(lossy.Locator(".problem-badge")).ToHaveTextAsync("1 problem, worst: warning");
        await Expect(lossy.Locator(".problem-badge")).ToHaveClassAsync(new Regex(@"\bwarning\b"));
        await Expect(failed.Locator(".problem-badge")).ToHaveTextAsync("1 problem, worst: error");
        await Expect(failed.Locator(".problem-badge")).ToHaveClassAsync(new Regex(@"\berror\b"));
        Assert.NotEqual(
            await lossy.Locator(".problem-badge").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"),
            await failed.Locator(".problem-badge").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await Expect(healthy).ToHaveCountAsync(1);
        await Expect(healthy.Locator(".problem-badge")).ToHaveCountAsync(0);

        // The filter keeps only the sessions with problems, and the tabs keep the filter.
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "With problems" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"problems=1"));
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Expect(healthy).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Checkbox, new() { Name = "With problems" })).ToBeCheckedAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Ended", Exact = true })).ToHaveAttributeAsync("href", new Regex(@"tab=ended.*problems=1"));
        await ScreenshotAsync("sessions-problems");

        // The session record: the Problems panel names the participant, and the timeline marks the range on her row.
        await lossy.GetByRole(AriaRole.Link, new() { Name = "support-desk" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Session in support-desk" })).ToBeVisibleAsync();
        var problems = Page.GetByRole(AriaRole.Table, new() { Name = "Problems" });
        var row = problems.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Ruiz" });
        await Expect(problems.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(row).ToContainTextAsync("High packet loss");
        await Expect(row).ToContainTextAsync("warning");
        await Expect(row).ToContainTextAsync("09:50:00 – 09:51:10 (1 min 10 s)");
        var timeline = Page.GetByRole(AriaRole.Group, new() { NameRegex = new("^Timeline of the session") });
        await Expect(timeline).ToHaveAttributeAsync("aria-label", new Regex(@"1 problem marked on the participants' rows\.$"));
        await Expect(timeline.Locator("rect.problem-range.warning")).ToHaveCountAsync(1);
        await Expect(timeline.Locator("rect.problem-range.warning title")).ToContainTextAsync("Ana Ruiz: High packet loss (warning), 09:50:00 – 09:51:10");
        await ScreenshotAsync("session-problems");

        // The participant record: the card with the evidence numbers, and the range shaded on the chart.
        await row.GetByRole(AriaRole.Link, new() { Name = "Ana Ruiz" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Ana Ruiz", Exact = true })).ToBeVisibleAsync();
        var card = Page.GetByRole(AriaRole.List, new() { Name = "Problems" }).GetByRole(AriaRole.Listitem);
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card.GetByRole(AriaRole.Heading, new() { Name = "High packet loss" })).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync("packet loss");
        await Expect(Evidence(card, "Threshold")).ToHaveTextAsync("3 %");
        await Expect(Evidence(card, "Worst")).ToHaveTextAsync("8 %");
        await Expect(Evidence(card, "Metric")).ToContainTextAsync("packet_loss_pct");
        await Expect(Evidence(card, "When (UTC)")).ToHaveTextAsync("09:50:00 – 09:51:10 (1 min 10 s)");
        Assert.True(int.Parse(await Evidence(card, "Samples").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 7);
        var chart = Page.GetByRole(AriaRole.Img, new() { NameRegex = new("^Packet loss and round-trip time") });
        await Expect(chart).ToHaveAttributeAsync("aria-label", new Regex(@"1 problem shaded over its time range\.$"));
        await Expect(chart.Locator("rect.problem-range.warning")).ToHaveCountAsync(1);
        await Expect(chart.Locator("rect.problem-range.warning title")).ToContainTextAsync("High packet loss");
        var whole = await chart.Locator("rect.problem-range").GetAttributeAsync("width");
        await Expect(Page.Locator(".log-count")).ToContainTextAsync("16 quality samples are folded");
        await ScreenshotAsync("participant-problems");

        // The card's link zooms the chart to the problem's time range, where it fills most of the width.
        await card.GetByRole(AriaRole.Link, new() { NameRegex = new("^Show on the chart") }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"from=2026-11-25T09%3A49%3A55.*to=2026-11-25T09%3A51%3A27"));
        await Expect(chart.Locator("rect.problem-range.warning")).ToHaveCountAsync(1);
        var zoomed = await chart.Locator("rect.problem-range").GetAttributeAsync("width");
        Assert.True(Width(zoomed) > 2 * Width(whole), $"The range is {zoomed} wide zoomed in and {whole} on the whole call.");
    }

    [Fact]
    public async Task A_healthy_session_has_no_badge_and_its_record_says_no_problems_were_found()
    {
        await IngestAsync([.. HealthyCall("daily-standup"), .. LossyCall("support-desk")]);
        var healthyId = await SessionIdAsync("daily-standup");
        var ben = await ParticipantIdAsync(healthyId, People.Ben.Identity);
        await SignInAsync();

        // Once the lossy call's badge is there, the worker has looked at both calls.
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" });
        await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = "support-desk" }).Locator(".problem-badge")).ToBeVisibleAsync();
        await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = "daily-standup" }).Locator(".problem-badge")).ToHaveCountAsync(0);

        await Page.GotoAsync($"/sessions/{healthyId}");
        await Expect(Page.GetByText("No problems found in this session.")).ToBeVisibleAsync();
        await Expect(Page.Locator("svg.timeline rect.problem-range")).ToHaveCountAsync(0);
        await Page.GotoAsync($"/participants/{ben}");
        await Expect(Page.GetByText("No problems found for this participant.")).ToBeVisibleAsync();
        await Expect(Page.Locator("svg.quality rect.problem-range")).ToHaveCountAsync(0);

        await Page.GotoAsync("/?problems=1");
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search sessions" }).FillAsync("standup");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page.GetByText("No live sessions with problems match “standup”.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_changes_a_threshold_on_settings_and_a_bad_value_changes_nothing()
    {
        await IngestAsync([.. LossyCall("support-desk")]);
        await SignInAsync();
        var badge = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "support-desk" }).Locator(".problem-badge");
        await Expect(badge).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        var loss = Page.GetByLabel("High packet loss: average above (%)", new() { Exact = true });
        await Expect(loss).ToHaveValueAsync("3");
        await Expect(Page.GetByLabel("High round-trip time above (ms)", new() { Exact = true })).ToHaveValueAsync("400");

        // Out of range: a message, the typed value kept for correcting, nothing stored.
        await loss.FillAsync("-1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nothing was changed.");
        await Expect(Page.GetByText("High packet loss: average above (%) must be a number from 0 to 100.")).ToBeVisibleAsync();
        await Expect(loss).ToHaveValueAsync("-1");
        await Expect(loss).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(3, (await DiagnosisAsync()).GetProperty("packet_loss_pct").GetDouble());

        // Each value in range, but more crossings than the window holds: the API's rule, and again nothing stored.
        await loss.FillAsync("10");
        await Page.GetByLabel("Samples that must cross", new() { Exact = true }).FillAsync("6");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nothing was changed.");
        await Expect(Page.GetByText("'crossings_needed' (6) cannot be more than 'sample_window' (5).")).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Samples that must cross", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        var unchanged = await DiagnosisAsync();
        Assert.Equal(3, unchanged.GetProperty("packet_loss_pct").GetDouble());
        Assert.Equal(3, unchanged.GetProperty("crossings_needed").GetInt32());
        await ScreenshotAsync("settings-problem-detection");

        await Page.GetByLabel("Samples that must cross", new() { Exact = true }).FillAsync("3");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("The problem detection thresholds were saved");
        await Expect(loss).ToHaveValueAsync("10");
        var changed = await DiagnosisAsync();
        Assert.Equal(10, changed.GetProperty("packet_loss_pct").GetDouble());
        Assert.Equal(400, changed.GetProperty("rtt_ms").GetDouble());

        // 8 % no longer crosses 10 %: the problem goes once the worker has looked again.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Sessions", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" })).ToContainTextAsync("support-desk");
        await Expect(badge).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Ana and Ben join at <see cref="T"/> and stay; each sends 16 samples 5 s apart. Ana's first ten lose 8 % of
    /// packets, her last six none (the average over 7 falls to 3 % or less at her 15th, 09:51:10); Ben's lose 0.5 %.
    /// </summary>
    private static IEnumerable<object> LossyCall(string room)
    {
        yield return Native.Joined(room, People.Ana, T.AddSeconds(-5), $"c-{room}-ana", Native.Desktop());
        yield return Native.Joined(room, People.Ben, T.AddSeconds(-5), $"c-{room}-ben", Native.Mobile());
        for (var i = 0; i < 16; i++)
        {
            var at = T.AddSeconds(5 * i);
            yield return Native.Event("quality_sample", room, People.Ana, at, $"c-{room}-ana", new { packet_loss_pct = i < 10 ? 8.0 : 0.0, rtt_ms = 80, jitter_ms = 6 });
            yield return Native.Event("quality_sample", room, People.Ben, at, $"c-{room}-ben", new { packet_loss_pct = 0.5, rtt_ms = 60, jitter_ms = 4 });
        }
    }

    /// <summary>Chen and Ben with clean samples.</summary>
    private static IEnumerable<object> HealthyCall(string room)
    {
        yield return Native.Joined(room, People.Chen, T.AddSeconds(-5), $"c-{room}-chen", Native.Desktop("Firefox", "Windows"));
        yield return Native.Joined(room, People.Ben, T.AddSeconds(-5), $"c-{room}-ben", Native.Mobile());
        for (var i = 0; i < 8; i++)
        {
            yield return Native.Event("quality_sample", room, People.Chen, T.AddSeconds(5 * i), $"c-{room}-chen", new { packet_loss_pct = 0.2, rtt_ms = 45, jitter_ms = 3 });
            yield return Native.Event("quality_sample", room, People.Ben, T.AddSeconds(5 * i), $"c-{room}-ben", new { packet_loss_pct = 0.4, rtt_ms = 70, jitter_ms = 5 });
        }
    }

    /// <summary>Dana, whose media connection fails: an error.</summary>
    private static IEnumerable<object> FailedCall(string room)
    {
        yield return Native.Joined(room, People.Dana, T, $"c-{room}-dana", Native.Desktop());
        yield return Native.Event("media_connection_failed", room, People.Dana, T.AddSeconds(20), $"c-{room}-dana", new { code = "ICE_FAILED", message = "ICE connection failed" });
    }

    private static ILocator Evidence(ILocator card, string term) =>
        card.Locator("dl.issue-evidence > div").Filter(new() { Has = card.Page.Locator("dt", new() { HasTextRegex = new Regex($"^{Regex.Escape(term)}$") }) }).Locator("dd");

    private static double Width(string? attribute) => double.Parse(attribute!, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonElement> DiagnosisAsync() => await Api.GetFromJsonAsync<JsonElement>("/api/v1/team/diagnosis", Cancellation);
}
