using System.Net.Http.Json;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>The Audit log page: admins reach it from the navigation, read who changed what, and filter it; viewers have no link.</summary>
public sealed class AuditPageTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task An_admin_reads_who_changed_what_and_filters_by_action_and_a_viewer_has_no_link()
    {
        using var patch = await Api.PatchAsJsonAsync("/api/v1/team", new { grace_period = 60 }, Cancellation);
        patch.EnsureSuccessStatusCode();
        await SignInAsync();

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        var rows = Page.Locator("table.audit-table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("sign_in.succeeded");
        await Expect(rows.Nth(0)).ToContainTextAsync("admin@example.test");
        await Expect(rows.Nth(1)).ToContainTextAsync("team.settings_changed");
        await Expect(rows.Nth(1)).ToContainTextAsync("Developer key");
        await Expect(rows.Nth(1)).ToContainTextAsync("grace_period: 420 → 60");
        await ScreenshotAsync("audit");

        await Page.GetByLabel("Action").SelectOptionAsync("team.settings_changed");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Nth(0)).ToContainTextAsync("team.settings_changed");

        await Page.GetByLabel("From").FillAsync("2026-11-30");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Main)).ToContainTextAsync("No entries match these filters.");

        await SignOutAsync();
        AddViewer();
        await SignInAsync("vera@example.test", "viewer-password-1");
        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
    }
}
