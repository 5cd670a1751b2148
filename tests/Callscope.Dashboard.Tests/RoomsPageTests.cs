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

    [Fact]
    public async Task A_rooms_settings_page_moves_its_live_sessions_end_at_once_and_refuses_a_name_another_room_has()
    {
        // Chen left 3 minutes ago: under the team's 7-minute grace period the session ends in 4 minutes.
        await IngestAsync(
            Native.Joined("sales-demo", People.Chen, Start.AddMinutes(-50), "c-3"),
            Native.Left("sales-demo", People.Chen, Start.AddMinutes(-3), "c-3"));
        var session = await SessionIdAsync("sales-demo");
        await SignInAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Rooms" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New room" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("board");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Room board was created.");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for room sales-demo" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menu, new() { Name = "Room sales-demo" }).GetByRole(AriaRole.Menuitem, new() { Name = "Edit settings" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("board");
        await Page.GetByLabel("Grace period (seconds)").FillAsync("600");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();

        await Expect(Page.Locator(".field-error:not(:empty)")).ToHaveTextAsync("A room named “board” already exists.");
        Assert.Equal(Start.AddMinutes(4), (await SessionAsync(session)).GetProperty("ending_at").GetDateTimeOffset());

        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("sales-demo");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The settings of sales-demo were saved.");
        Assert.Equal(Start.AddMinutes(7), (await SessionAsync(session)).GetProperty("ending_at").GetDateTimeOffset());
    }
}
