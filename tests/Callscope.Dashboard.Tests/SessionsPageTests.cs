using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed partial class SessionsPageTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task Live_tab_lists_active_sessions_first_then_ending_soon_ones_greyed_with_their_time_left()
    {
        await IngestAsync(
            Native.Joined("design-review", People.Dana, Start.AddMinutes(-25), "c-dana", Native.Desktop()),
            Native.Left("design-review", People.Dana, Start.AddMinutes(-2), "c-dana"),
            Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-14), "c-ana", Native.Desktop()),
            Native.Joined("daily-standup", People.Ben, Start.AddMinutes(-13), "c-ben", Native.Mobile()),
            Native.Joined("sales-demo", People.Chen, Start.AddMinutes(-40), "c-chen", Native.Desktop("Firefox", "Windows")),
            Native.Joined("sales-demo", People.Elif, Start.AddMinutes(-38), "c-elif", Native.Desktop("Edge", "Windows")),
            Native.Left("sales-demo", People.Elif, Start.AddMinutes(-20), "c-elif"));
        await SignInAsync();

        // The header counts active sessions against the limit set on the settings page.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Page.GetByLabel("Max concurrent sessions").FillAsync("10");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The team's settings were saved.");
        await ScreenshotAsync("settings");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Sessions", Exact = true }).ClickAsync();

        var figures = Page.GetByRole(AriaRole.Group, new() { Name = "Live figures" });
        await Expect(figures).ToContainTextAsync("2 / 10 live sessions");
        await Expect(figures).ToContainTextAsync("1 ending soon");
        var rows = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row);
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(rows.Nth(1)).ToContainTextAsync("daily-standup");
        await Expect(rows.Nth(1)).ToContainTextAsync("2 / 2 / 2");
        await Expect(rows.Nth(2)).ToContainTextAsync("sales-demo");
        await Expect(rows.Nth(2)).ToContainTextAsync("1 / 2 / 2");
        var endingSoon = rows.Nth(3);
        await Expect(endingSoon).ToContainTextAsync("design-review");
        await Expect(endingSoon).ToHaveClassAsync(EndingSoonClass());
        await Expect(endingSoon.GetByRole(AriaRole.Cell).First).ToHaveCSSAsync("background-color", "rgb(236, 238, 241)");
        await Expect(endingSoon.GetByRole(AriaRole.Link, new() { Name = "design-review" })).ToHaveCSSAsync("color", "rgb(85, 92, 105)");
        await Expect(endingSoon.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync(FiveMinutesLeft());
        await ScreenshotAsync("sessions");

        await Page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync("sessions-phone");
    }

    [Fact]
    public async Task The_search_box_finds_a_session_by_room_id_by_room_name_and_by_session_id()
    {
        await IngestAsync(
            Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-10), "c-ana"),
            Native.Joined("sales-demo", People.Chen, Start.AddMinutes(-8), "c-chen"),
            Native.Joined("support-desk", People.Dana, Start.AddMinutes(-6), "c-dana"));
        var salesRoom = await RoomIdAsync("sales-demo");
        var supportSession = await SessionIdAsync("support-desk");
        await SignInAsync();
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" });
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(4);

        await SearchAsync(salesRoom);
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(table).ToContainTextAsync("sales-demo");

        await SearchAsync("STANDUP");
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(table).ToContainTextAsync("daily-standup");

        await SearchAsync(supportSession);
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(table).ToContainTextAsync("support-desk");

        await SearchAsync("no-such-room");
        await Expect(Page.GetByText("No live sessions match “no-such-room”.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_ended_tab_keeps_ids_dates_durations_and_counts_on_one_line_at_1366_px()
    {
        // Long room names, hour-long durations and a member's email as the end reason: the widest rows a team sees.
        var events = new List<object>();
        var rooms = new[] { "customer-onboarding-weekly-review", "engineering-all-hands-and-demo", "support-desk", "sales-demo-enterprise-accounts" };
        foreach (var (room, i) in rooms.Select((r, i) => (r, i)))
        {
            var start = Start.AddHours(-6 + i);
            events.Add(Native.Joined(room, People.Ana, start, $"c-{i}-ana", Native.Desktop()));
            events.Add(Native.Joined(room, People.Ben, start.AddMinutes(1), $"c-{i}-ben", Native.Mobile()));
            events.Add(Native.Left(room, People.Ben, start.AddMinutes(57), $"c-{i}-ben"));
            events.Add(Native.Left(room, People.Ana, start.AddMinutes(58).AddSeconds(7), $"c-{i}-ana"));
        }

        events.Add(Native.Joined("member-ended-planning-session", People.Chen, Start.AddMinutes(-30), "c-chen"));
        await IngestAsync([.. events]);
        var id = await SessionIdAsync("member-ended-planning-session");
        await Page.SetViewportSizeAsync(1366, 768);
        await SignInAsync();
        await Page.GotoAsync($"/sessions/{id}/end");
        await Page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Page.GotoAsync("/?tab=ended");
        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" });
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(rooms.Length + 2);

        // Each cell's text, measured as laid out: one line is less than one and a half times the cell's line height.
        var wrapped = await Page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('table.sessions-table tbody td')]
                .filter(td => ['Session', 'Start', 'Duration', 'Participants'].includes(td.dataset.label))
                .filter(td => {
                    const range = document.createRange();
                    range.selectNodeContents(td);
                    const lineHeight = parseFloat(getComputedStyle(td).lineHeight);
                    return range.getBoundingClientRect().height >= 1.5 * lineHeight;
                })
                .map(td => `${td.dataset.label}: ${td.innerText}`)
            """);
        var measured = await Page.EvaluateAsync<int>("() => document.querySelectorAll('table.sessions-table tbody td[data-label=Start]').length");
        Assert.Equal(rooms.Length + 1, measured);
        Assert.Empty(wrapped);
        Assert.True(await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways at 1366 px.");
    }

    private async Task SearchAsync(string text)
    {
        var box = Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search sessions" });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await Expect(box).ToHaveValueAsync(text);
        await Expect(Page).ToHaveURLAsync(new Regex("q=" + Regex.Escape(Uri.EscapeDataString(text))));
    }

    [GeneratedRegex(@"\bending-soon\b")]
    private static partial Regex EndingSoonClass();

    // Two minutes into the seven-minute grace period; the page counts down on its own while the test reads it.
    [GeneratedRegex(@"^\s*ending soon\s+(5:00|4:[0-5]\d) left\s*$")]
    private static partial Regex FiveMinutesLeft();
}
