using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>Delete history in the session's and the room's page menus: admins only, after a confirmation.</summary>
public sealed class DeleteHistoryTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task An_admin_deletes_a_sessions_history_from_its_menu_after_confirming_and_its_participants_are_anonymised()
    {
        await IngestAsync(
            Native.Joined("retro", People.Ana, Start.AddMinutes(-40), "c-ana"),
            Native.Joined("retro", People.Ben, Start.AddMinutes(-39), "c-ben"),
            Native.Left("retro", People.Ben, Start.AddMinutes(-31), "c-ben"),
            Native.Left("retro", People.Ana, Start.AddMinutes(-30), "c-ana"));
        var id = await SessionIdAsync("retro");
        var before = await SessionAsync(id);
        await SignInAsync();
        await Page.GotoAsync($"/sessions/{id}");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = People.Ana.Name }).First).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for this session" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem, new() { Name = "Delete history" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this session's history?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("cannot be undone");

        // Cancelling changes nothing; confirming deletes.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(["Ana Ruiz", "Ben Okafor"], await NamesAsync(id));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for this session" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem, new() { Name = "Delete history" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete history" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The history of the session in retro was deleted: 2 participants anonymised.");
        await Expect(Page.GetByText(People.Ana.Name)).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Deleted participant" }).First).ToBeVisibleAsync();
        Assert.Equal(["Deleted participant", "Deleted participant"], await NamesAsync(id));
        var after = await SessionAsync(id);
        Assert.Equal(before.GetProperty("session_end_time").GetString(), after.GetProperty("session_end_time").GetString());
        Assert.Equal(before.GetProperty("participation_minutes").GetDouble(), after.GetProperty("participation_minutes").GetDouble());
    }

    [Fact]
    public async Task An_admin_deletes_a_rooms_history_from_its_menu_and_a_viewer_sees_no_such_menu()
    {
        await IngestAsync(
            Native.Joined("retro", People.Ana, Start.AddMinutes(-40), "c-ana"),
            Native.Left("retro", People.Ana, Start.AddMinutes(-30), "c-ana"));
        var id = await SessionIdAsync("retro");
        var room = await RoomIdAsync("retro");
        AddViewer("viewer@example.test");

        await SignInAsync("viewer@example.test", "viewer-password-1");
        await Page.GotoAsync($"/rooms/{room}/sessions");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions of retro" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Actions for room retro" })).ToHaveCountAsync(0);
        await Page.GotoAsync($"/sessions/{id}");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Actions for this session" })).ToHaveCountAsync(0);
        await Page.GotoAsync($"/rooms/{room}/delete-history");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Admins only" })).ToBeVisibleAsync();
        await SignOutAsync();

        await SignInAsync();
        await Page.GotoAsync($"/rooms/{room}/sessions");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for room retro" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem, new() { Name = "Delete history" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this room's history?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete history" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The history of retro was deleted: 1 participant anonymised.");
        Assert.Equal(["Deleted participant"], await NamesAsync(id));
    }

    private async Task<string[]> NamesAsync(string session) =>
        [.. (await Api.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/participants", Cancellation)).GetProperty("data").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
}
