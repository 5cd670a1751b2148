using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed class RoomsPageTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task The_sessions_item_of_a_rooms_context_menu_lists_that_rooms_sessions()
    {
        await IngestAsync(
            Native.Joined("daily-standup", People.Ana, Start.AddHours(-24), "c-1"),
            Native.Left("daily-standup", People.Ana, Start.AddHours(-24).AddMinutes(15), "c-1"),
            Native.Joined("daily-standup", People.Ben, Start.AddMinutes(-5), "c-2"),
            Native.Joined("sales-demo", People.Chen, Start.AddMinutes(-50), "c-3"),
            Native.Left("sales-demo", People.Chen, Start.AddMinutes(-3), "c-3"),
            Native.Joined("support-desk", People.Dana, Start.AddHours(-3), "c-4"),
            Native.Left("support-desk", People.Dana, Start.AddHours(-2), "c-4"));
        await SignInAsync();

        await Page.GetByRole(AriaRole.Link, new() { Name = "Rooms" }).ClickAsync();
        var rooms = Page.GetByRole(AriaRole.Table, new() { Name = "Rooms" });
        await Expect(rooms.GetByRole(AriaRole.Row)).ToHaveCountAsync(4);
        await Expect(rooms.GetByRole(AriaRole.Row).Filter(new() { HasText = "daily-standup" })).ToContainTextAsync("live");
        await Expect(rooms.GetByRole(AriaRole.Row).Filter(new() { HasText = "sales-demo" })).ToContainTextAsync("ending soon");
        await ScreenshotAsync("rooms");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for room daily-standup" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menu, new() { Name = "Room daily-standup" }).GetByRole(AriaRole.Menuitem, new() { Name = "Sessions" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions of daily-standup" })).ToBeVisibleAsync();
        var sessions = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row);
        await Expect(sessions).ToHaveCountAsync(3);
        await Expect(sessions.Nth(1)).ToContainTextAsync("live");
        await Expect(sessions.Nth(2)).ToContainTextAsync("grace period expired");
        await Expect(Page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("sales-demo");
    }
}
