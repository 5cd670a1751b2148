using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed partial class EndSessionTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task An_admin_ends_a_session_from_the_row_menu_and_it_moves_to_the_ended_tab()
    {
        await IngestAsync(
            Native.Joined("all-hands", People.Ana, Start.AddMinutes(-30), "c-ana"),
            Native.Joined("all-hands", People.Ben, Start.AddMinutes(-29), "c-ben"));
        var id = await SessionIdAsync("all-hands");
        await SignInAsync();

        // Keyboard only: the menu button opens on Enter with focus on its first item, End jumps to the last one.
        var menuButton = Page.GetByRole(AriaRole.Button, new() { NameRegex = ActionsForAllHands() });
        await menuButton.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        var menu = Page.GetByRole(AriaRole.Menu);
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "Open session" })).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("End");
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "End session" })).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");

        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = "End this session?" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The session in all-hands was ended.");
        await Expect(Page.GetByText("No live sessions right now.")).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Ended", Exact = true }).ClickAsync();
        var row = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "all-hands" });
        await Expect(row).ToContainTextAsync("ended");
        await Expect(row).ToContainTextAsync($"ended by {CallscopeApp.AdminEmail}");

        var session = await SessionAsync(id);
        Assert.Equal("ended", session.GetProperty("status").GetString());
        Assert.Equal("api", session.GetProperty("end_reason").GetString());
        Assert.Equal(CallscopeApp.AdminEmail, session.GetProperty("ended_by").GetString());
    }

    [Fact]
    public async Task A_viewer_sees_no_end_session_item_and_is_refused_when_posting_anyway()
    {
        await IngestAsync(Native.Joined("all-hands", People.Ana, Start.AddMinutes(-30), "c-ana"));
        var id = await SessionIdAsync("all-hands");
        await SignInAsync();

        await Page.GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await Page.GetByLabel("Email").FillAsync("viewer@example.test");
        await Page.GetByLabel("Name").FillAsync("Vera Viewer");
        await Page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("viewer");
        await Page.GetByLabel("First password").FillAsync("viewer-password-1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("viewer@example.test was added as viewer.");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "viewer@example.test" })).ToContainTextAsync("Vera Viewer");
        await ScreenshotAsync("members");
        await SignOutAsync();

        await SignInAsync("viewer@example.test", "viewer-password-1");
        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link)).ToHaveTextAsync(["Sessions", "Rooms", "Usage", "API access"]);
        await Page.GetByRole(AriaRole.Button, new() { NameRegex = ActionsForAllHands() }).ClickAsync();
        var menu = Page.GetByRole(AriaRole.Menu);
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "Open session" })).ToBeFocusedAsync();
        await Expect(menu.GetByRole(AriaRole.Menuitem)).ToHaveTextAsync(["Open session", "All sessions in all-hands"]);

        // Posting the end form anyway, with the viewer's own valid anti-forgery token, is refused by the server.
        var token = await Page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        var response = await Page.APIRequest.PostAsync($"/sessions/{id}/end", new()
        {
            Form = Page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token).Set("returnUrl", "/"),
        });
        Assert.Equal(403, response.Status);
        Assert.Contains("Admins only", await response.TextAsync(), StringComparison.Ordinal);
        Assert.Equal("live", (await SessionAsync(id)).GetProperty("status").GetString());
    }

    [GeneratedRegex("^Actions for session .+ in all-hands$")]
    private static partial Regex ActionsForAllHands();
}
