using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The Usage page over a known November: four sessions in four rooms across three days, one of them live now, with
/// desktop, mobile, tablet and unknown devices, and a limit of four sessions. The clock stands at 2026-11-25 10:00 UTC.
/// </summary>
public sealed partial class UsagePageTests(BrowserFixture browser) : DashboardTest(browser)
{
    private static readonly object Tablet = new { device = "tablet", os = "iPadOS", browser = "Safari" };

    [Fact]
    public async Task This_period_shows_the_minutes_the_peaks_against_the_limit_and_what_is_live_now()
    {
        await ArrangeAsync(maxSessions: 4);
        await SignInAsync();

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Usage", Exact = true })).ToBeVisibleAsync();
        var period = Page.GetByRole(AriaRole.Region, new() { NameRegex = new("^This period") });
        await Expect(period.GetByRole(AriaRole.Heading)).ToHaveTextAsync("This period 2026-11-01 to 2026-11-30 (UTC), up to now");
        var values = period.Locator("dd");
        await Expect(values.Nth(0)).ToHaveTextAsync("300");
        await Expect(values.Nth(1)).ToHaveTextAsync(Words("2 / 4 50 % of the limit"));
        await Expect(values.Nth(2)).ToHaveTextAsync("3");
        await Expect(values.Nth(3)).ToHaveTextAsync(Words("1 session 3 participants"));
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true })).ToHaveAttributeAsync("aria-current", "page");
    }

    [Fact]
    public async Task The_month_charts_draw_the_limit_line_stack_minutes_by_device_and_list_the_busiest_rooms_with_tables()
    {
        await ArrangeAsync(maxSessions: 4);
        await SignInAsync();
        await Page.GotoAsync("/usage");

        // The current period by default: one point a day from the 1st up to today.
        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Range" }).GetByRole(AriaRole.Link, new() { Name = "Month" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.GetByText("2026-11-01 to 2026-11-30 (UTC), one point per day.")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Download timeline CSV" }))
            .ToHaveAttributeAsync("href", "/api/v1/statistics/timeline?date_start=2026-11-01&date_end=2026-11-30&interval=day&format=csv");

        var concurrency = Page.GetByRole(AriaRole.Region, new() { Name = "Concurrent sessions", Exact = true });
        var picture = concurrency.GetByRole(AriaRole.Img);
        await Expect(picture).ToHaveAttributeAsync("aria-label",
            "Concurrent sessions, the most at once in each day, 2026-11-01 to 2026-11-30 (UTC): at most 2 sessions, first in 2026-11-24; the limit is 4 (50 % reached).");
        await Expect(picture.Locator(".hit")).ToHaveCountAsync(25);
        await Expect(picture.Locator(".hit title").Nth(23)).ToHaveTextAsync("2026-11-24 UTC: at most 2 sessions at once (50 % of the limit of 4), 3 participants at once");
        await Expect(picture.Locator(".limit-line")).ToHaveCountAsync(1);
        await Expect(picture.Locator(".limit-label")).ToHaveTextAsync("limit 4");
        await Expect(picture.Locator(".axis-label")).ToHaveTextAsync(["0", "1", "2", "3", "4"]);
        await Expect(picture.Locator(".tick").First).ToHaveTextAsync(DayLabel());
        var limitLine = double.Parse(await picture.Locator(".limit-line").GetAttributeAsync("y1") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        var topGridline = double.Parse(await picture.Locator(".grid").Last.GetAttributeAsync("y1") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(topGridline, limitLine);
        await Expect(concurrency.Locator("figcaption")).ToHaveTextAsync(Words("Most sessions at once in each day Limit: 4 sessions at once (max_sessions)"));
        await concurrency.GetByText("Show as table").ClickAsync();
        var table = concurrency.GetByRole(AriaRole.Table, new() { Name = "Concurrent sessions per day" });
        await Expect(table.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Start (UTC)", "Sessions at once", "Of the limit", "Participants at once"]);
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(26);
        await Expect(Cells(table, "2026-11-24")).ToHaveTextAsync(["2", "50 %", "3"]);
        await Expect(Cells(table, "2026-11-25")).ToHaveTextAsync(["1", "25 %", "3"]);
        await Expect(Cells(table, "2026-11-23")).ToHaveTextAsync(["0", "0 %", "0"]);

        var minutes = Page.GetByRole(AriaRole.Region, new() { Name = "Participation minutes by device", Exact = true });
        await Expect(minutes.Locator("figcaption .key")).ToHaveTextAsync(["Desktop", "Mobile", "Tablet", "Smart TV", "Other"]);
        var stacked = minutes.GetByRole(AriaRole.Img);
        await Expect(stacked).ToHaveAttributeAsync("aria-label", new Regex("^Participation minutes per day by device, .*: the most in one day was 120, in 2026-11-20\\.$"));
        await Expect(stacked.Locator(".hit title").Nth(24))
            .ToHaveTextAsync("2026-11-25 UTC: 60 participation minutes — desktop 30, mobile 0, tablet 20, smart TV 0, other 10");
        // Today's column stacks three devices: desktop, tablet and the participant whose device is unknown.
        await Expect(stacked.Locator(".column").Nth(24).Locator(".segment")).ToHaveCountAsync(3);
        await Expect(stacked.Locator(".column").Nth(24).Locator(".segment.other")).ToHaveCountAsync(1);
        await minutes.GetByText("Show as table").ClickAsync();
        var minuteTable = minutes.GetByRole(AriaRole.Table, new() { Name = "Participation minutes per day by device" });
        await Expect(minuteTable.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Start (UTC)", "Desktop", "Mobile", "Tablet", "Smart TV", "Other", "Total"]);
        await Expect(Cells(minuteTable, "2026-11-20")).ToHaveTextAsync(["120", "0", "0", "0", "0", "120"]);
        await Expect(Cells(minuteTable, "2026-11-24")).ToHaveTextAsync(["90", "30", "0", "0", "0", "120"]);
        await Expect(Cells(minuteTable, "2026-11-25")).ToHaveTextAsync(["30", "0", "20", "0", "10", "60"]);

        var started = Page.GetByRole(AriaRole.Region, new() { Name = "Sessions started", Exact = true });
        await Expect(started.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", new Regex(": 4 sessions in all, at most 2 in one day \\(2026-11-24\\)\\.$"));
        await Expect(started.Locator("figcaption")).ToHaveTextAsync("Sessions started in each day");
        await started.GetByText("Show as table").ClickAsync();
        var startedTable = started.GetByRole(AriaRole.Table, new() { Name = "Sessions started per day" });
        await Expect(Cells(startedTable, "2026-11-20")).ToHaveTextAsync(["1"]);
        await Expect(Cells(startedTable, "2026-11-24")).ToHaveTextAsync(["2"]);
        await Expect(Cells(startedTable, "2026-11-25")).ToHaveTextAsync(["1"]);

        var rooms = Page.GetByRole(AriaRole.Region, new() { Name = "Rooms that used the most minutes", Exact = true });
        var bars = rooms.GetByRole(AriaRole.Group, new() { NameRegex = new("^The 4 rooms that used the most participation minutes") });
        await Expect(bars.GetByRole(AriaRole.Link)).ToHaveTextAsync(["all-hands", "weekly-sync", "daily-standup", "sales-demo"]);
        await Expect(bars.Locator(".bar-value")).ToHaveTextAsync(["120 min", "90 min", "60 min", "30 min"]);
        await Expect(bars.Locator("rect title").Nth(1)).ToHaveTextAsync("weekly-sync: 90 participation minutes in 1 session");
        await Expect(rooms.Locator("figcaption")).ToHaveTextAsync("Participation minutes (the scale below)");
        await rooms.GetByText("Show as table").ClickAsync();
        var roomTable = rooms.GetByRole(AriaRole.Table, new() { Name = "Rooms that used the most participation minutes" });
        await Expect(roomTable.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(["all-hands", "weekly-sync", "daily-standup", "sales-demo"]);
        await Expect(Cells(roomTable, "weekly-sync")).ToHaveTextAsync(["90", "1"]);

        // The picture for the docs: the timeline tables closed again, the rooms' table open.
        foreach (var chart in new[] { concurrency, minutes, started })
        {
            await chart.GetByText("Show as table").ClickAsync();
        }

        await Expect(Page.Locator("details[open]")).ToHaveCountAsync(1);
        await ScreenshotAsync("usage");

        await roomTable.GetByRole(AriaRole.Link, new() { Name = "weekly-sync" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/rooms/{await RoomIdAsync("weekly-sync")}/sessions$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions of weekly-sync" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_period_start_day_set_on_settings_moves_this_period_and_a_day_past_the_28th_is_explained()
    {
        await ArrangeAsync(maxSessions: 4);
        await SignInAsync();
        await Page.GotoAsync("/settings");
        var day = Page.GetByLabel("Usage period starts on day");
        await Expect(day).ToHaveValueAsync("1");

        await day.FillAsync("31");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.GetByText("The usage period starts on a day from 1 to 28.")).ToBeVisibleAsync();
        await Page.GetByLabel("Usage period starts on day").FillAsync("24");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.GetByText("The team's settings were saved.")).ToBeVisibleAsync();
        await Page.GotoAsync("/usage");

        var period = Page.GetByRole(AriaRole.Region, new() { NameRegex = new("^This period") });
        await Expect(period.GetByRole(AriaRole.Heading)).ToHaveTextAsync("This period 2026-11-24 to 2026-12-23 (UTC), up to now");
        await Expect(period.Locator("dd").Nth(0)).ToHaveTextAsync("180");
        var team = await Api.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/team", Cancellation);
        Assert.Equal(24, team.GetProperty("period_start_day").GetInt32());
    }

    [Fact]
    public async Task Without_a_limit_the_page_says_so_and_draws_no_limit_line()
    {
        await ArrangeAsync(maxSessions: null);
        await SignInAsync();
        await Page.GotoAsync("/usage");

        var values = Page.GetByRole(AriaRole.Region, new() { NameRegex = new("^This period") }).Locator("dd");
        await Expect(values.Nth(1)).ToHaveTextAsync(Words("2 no limit"));
        var concurrency = Page.GetByRole(AriaRole.Region, new() { Name = "Concurrent sessions", Exact = true });
        await Expect(concurrency.Locator(".limit-line")).ToHaveCountAsync(0);
        await Expect(concurrency.Locator("figcaption")).ToContainTextAsync("The team has no limit.");
        await Expect(concurrency.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", new Regex("; the team has no limit\\.$"));
        await concurrency.GetByText("Show as table").ClickAsync();
        await Expect(concurrency.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Start (UTC)", "Sessions at once", "Participants at once"]);
    }

    [Fact]
    public async Task The_range_chooser_shows_a_day_by_the_hour_a_week_and_a_chosen_range_and_explains_a_bad_one()
    {
        await ArrangeAsync(maxSessions: 4);
        await SignInAsync();
        await Page.GotoAsync("/usage");
        var ranges = Page.GetByRole(AriaRole.Navigation, new() { Name = "Range" });
        var csv = Page.GetByRole(AriaRole.Link, new() { Name = "Download timeline CSV" });
        var concurrency = Page.GetByRole(AriaRole.Region, new() { Name = "Concurrent sessions", Exact = true });

        // Today, by the hour, up to now.
        await ranges.GetByRole(AriaRole.Link, new() { Name = "Day" }).ClickAsync();
        await Expect(ranges.GetByRole(AriaRole.Link, new() { Name = "Day" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.GetByText("2026-11-25 (UTC), one point per hour.")).ToBeVisibleAsync();
        await Expect(csv).ToHaveAttributeAsync("href", "/api/v1/statistics/timeline?date_start=2026-11-25&date_end=2026-11-25&interval=hour&format=csv");
        await Expect(concurrency.Locator(".hit")).ToHaveCountAsync(10);
        await Expect(concurrency.Locator(".tick")).ToHaveTextAsync(["00:00", "06:00", "12:00", "18:00", "00:00"]);
        var minutes = Page.GetByRole(AriaRole.Region, new() { Name = "Participation minutes by device", Exact = true });
        await minutes.GetByText("Show as table").ClickAsync();
        await Expect(Cells(minutes.GetByRole(AriaRole.Table), "2026-11-25 09:00")).ToHaveTextAsync(["30", "0", "20", "0", "10", "60"]);
        await Expect(Cells(minutes.GetByRole(AriaRole.Table), "2026-11-25 08:00")).ToHaveTextAsync(["0", "0", "0", "0", "0", "0"]);
        var rooms = Page.GetByRole(AriaRole.Region, new() { Name = "Rooms that used the most minutes", Exact = true });
        await Expect(rooms.GetByRole(AriaRole.Group).GetByRole(AriaRole.Link)).ToHaveTextAsync(["daily-standup"]);

        // The last seven days, by the hour.
        await ranges.GetByRole(AriaRole.Link, new() { Name = "Week" }).ClickAsync();
        await Expect(Page.GetByText("2026-11-19 to 2026-11-25 (UTC), one point per hour.")).ToBeVisibleAsync();
        await Expect(concurrency.Locator(".hit")).ToHaveCountAsync((6 * 24) + 10);
        await Expect(concurrency.Locator(".tick").First).ToHaveTextAsync(DayLabel());

        // Two dates, both included; more than a week goes by the day.
        await Page.GetByLabel("First day").FillAsync("2026-11-20");
        await Page.GetByLabel("Last day").FillAsync("2026-11-24");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("from=2026-11-20&to=2026-11-24$"));
        await Expect(Page.GetByText("2026-11-20 to 2026-11-24 (UTC), one point per hour.")).ToBeVisibleAsync();
        await Expect(csv).ToHaveAttributeAsync("href", "/api/v1/statistics/timeline?date_start=2026-11-20&date_end=2026-11-24&interval=hour&format=csv");
        await Expect(rooms.GetByRole(AriaRole.Group).GetByRole(AriaRole.Link)).ToHaveTextAsync(["all-hands", "weekly-sync", "sales-demo"]);
        await Expect(ranges.Locator("[aria-current]")).ToHaveCountAsync(0);
        await Page.GetByLabel("First day").FillAsync("2026-11-01");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Expect(Page.GetByText("2026-11-01 to 2026-11-24 (UTC), one point per day.")).ToBeVisibleAsync();
        await Expect(concurrency.Locator(".hit")).ToHaveCountAsync(24);

        // A reversed range, a date that is not one, a range too long and an unknown range name each say why, with no charts.
        foreach (var (query, message) in new[]
        {
            ("from=2026-11-24&to=2026-11-20", "The first day (2026-11-24) is after the last day (2026-11-20): choose a first day on or before the last."),
            ("from=yesterday&to=2026-11-20", "The first day “yesterday” is not a date: write it as YYYY-MM-DD, between the years 1970 and 9998."),
            ("from=2026-11-20&to=", "Choose both the first and the last day of the range."),
            ("from=2000-01-01&to=2026-11-20", "The range spans 9,821 days; it can span at most 3,700 days."),
            ("from=0001-01-01&to=9999-12-31", "The first day “0001-01-01” is not a date: write it as YYYY-MM-DD, between the years 1970 and 9998."),
            ("range=fortnight", "There is no range called “fortnight”: choose day, week or month, or two dates."),
        })
        {
            var response = await Page.GotoAsync($"/usage?{query}");
            Assert.True(response!.Status is 200 or 400, $"{query}: status {response.Status}");
            await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(message);
            await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Concurrent sessions", Exact = true })).ToHaveCountAsync(0);
            await Expect(csv).ToHaveCountAsync(0);
            await Expect(Page.GetByRole(AriaRole.Region, new() { NameRegex = new("^This period") }).Locator("dd").First).ToHaveTextAsync("300");
        }

        // The form keeps the days that were asked for, so they can be corrected.
        await Page.GotoAsync("/usage?from=2026-11-24&to=2026-11-20");
        await Expect(Page.GetByLabel("First day")).ToHaveValueAsync("2026-11-24");
        await Expect(Page.GetByLabel("Last day")).ToHaveValueAsync("2026-11-20");
    }

    [Fact]
    public async Task A_viewer_sees_the_usage_page_and_it_fits_a_phone_without_sideways_scrolling()
    {
        await ArrangeAsync(maxSessions: 4);
        AddViewer();
        await Page.SetViewportSizeAsync(375, 812);
        await SignInAsync("vera@example.test", "viewer-password-1");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Usage", Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Region, new() { NameRegex = new("^This period") }).Locator("dd").Nth(1)).ToHaveTextAsync(Words("2 / 4 50 % of the limit"));
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Rooms that used the most minutes", Exact = true }).GetByRole(AriaRole.Group).GetByRole(AriaRole.Link))
            .ToHaveCountAsync(4);
        Assert.True(await FitsAsync(), "The usage page scrolls sideways at 375 px.");

        // The charts scale down with their viewBox instead of scrolling inside the page.
        var width = await Page.GetByRole(AriaRole.Region, new() { Name = "Concurrent sessions", Exact = true }).GetByRole(AriaRole.Img).EvaluateAsync<double>("svg => svg.getBoundingClientRect().width");
        Assert.InRange(width, 200, 375);
        await ScreenshotAsync("usage-phone");

        // The tables open without widening the page: a wide one scrolls inside its own box.
        foreach (var summary in await Page.GetByText("Show as table").AllAsync())
        {
            await summary.ClickAsync();
        }

        await Expect(Page.Locator("details[open]")).ToHaveCountAsync(4);
        Assert.True(await FitsAsync(), "An open table makes the usage page scroll sideways at 375 px.");
        await Page.GotoAsync("/usage?from=2026-11-24&to=2026-11-20");
        await Expect(Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.True(await FitsAsync(), "The range error makes the usage page scroll sideways at 375 px.");
    }

    /// <summary>
    /// November so far: all-hands on the 20th (two people on desktops, an hour each), weekly-sync and sales-demo
    /// overlapping on the 24th (three people at once, one on a phone), and daily-standup live now with a desktop, a
    /// tablet and a device nobody named. Minutes: 120 + 90 + 30 + 60 = 300.
    /// </summary>
    private async Task ArrangeAsync(int? maxSessions)
    {
        var allHands = new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
        var weekly = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        await IngestAsync(
            Native.Joined("all-hands", People.Ben, allHands, "c-ben-1", Native.Desktop()),
            Native.Joined("all-hands", People.Chen, allHands, "c-chen-1", Native.Desktop("Firefox", "Windows")),
            Native.Left("all-hands", People.Ben, allHands.AddHours(1), "c-ben-1"),
            Native.Left("all-hands", People.Chen, allHands.AddHours(1), "c-chen-1"),
            Native.Joined("weekly-sync", People.Ana, weekly, "c-ana-1", Native.Desktop()),
            Native.Joined("weekly-sync", People.Ben, weekly, "c-ben-2", Native.Mobile()),
            Native.Left("weekly-sync", People.Ben, weekly.AddMinutes(30), "c-ben-2"),
            Native.Left("weekly-sync", People.Ana, weekly.AddMinutes(60), "c-ana-1"),
            Native.Joined("sales-demo", People.Chen, weekly.AddMinutes(15), "c-chen-2", Native.Desktop()),
            Native.Left("sales-demo", People.Chen, weekly.AddMinutes(45), "c-chen-2"),
            Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-30), "c-ana-2", Native.Desktop()),
            Native.Joined("daily-standup", People.Dana, Start.AddMinutes(-20), "c-dana", Tablet),
            Native.Joined("daily-standup", People.Elif, Start.AddMinutes(-10), "c-elif"));
        if (maxSessions is { } limit)
        {
            (await Api.PatchAsJsonAsync("/api/v1/team", new { max_sessions = limit }, Cancellation)).EnsureSuccessStatusCode();
        }
    }

    private static ILocator Cells(ILocator table, string rowHeader) =>
        table.GetByRole(AriaRole.Row).Filter(new() { Has = table.Page.GetByRole(AriaRole.Rowheader, new() { Name = rowHeader, Exact = true }) }).GetByRole(AriaRole.Cell);

    private Task<bool> FitsAsync() => Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    /// <summary>Text whose words are separated by any white space.</summary>
    private static Regex Words(string text) => new("^\\s*" + string.Join("\\s+", text.Split(' ').Select(Regex.Escape)) + "\\s*$");

    [GeneratedRegex("^\\d{1,2} [A-Z][a-z]{2}$")]
    private static partial Regex DayLabel();
}
