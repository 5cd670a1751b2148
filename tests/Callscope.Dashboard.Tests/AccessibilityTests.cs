using System.Net.Http.Json;
using System.Text;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// axe-core with the WCAG 2.0 and 2.1 A and AA rules on every dashboard page, as an admin and as a viewer, in the
/// light and the dark colour scheme, with menus and the confirmation dialog open and forms showing their errors.
/// Every Razor page the server has must be among the pages checked, so a new page cannot go unchecked.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser) : DashboardTest(browser)
{
    private const string ViewerEmail = "vera@example.test";
    private const string ViewerPassword = "viewer-password-1";

    private static readonly List<string> Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private readonly List<string> violations = [];
    private readonly HashSet<string> checkedPages = [];

    [Fact]
    public async Task Every_dashboard_page_has_no_wcag_a_or_aa_violation_for_an_admin()
    {
        var ids = await ArrangeAsync();

        await Page.GotoAsync("/signin");
        await CheckAsync("/SignIn", "sign-in");
        await Page.GetByLabel("Email").FillAsync(CallscopeApp.AdminEmail);
        await Page.GetByLabel("Password").FillAsync("not-the-password");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await CheckAsync("/SignIn", "sign-in with an error");
        await SignInAsync();

        await CheckAsync("/Index", "sessions, live tab");
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Actions for session {ids.LiveShort} in daily-standup" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
        await CheckAsync("/Index", "sessions, a row menu open");
        await Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem, new() { Name = "End session" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await CheckAsync("/Index", "sessions, the end confirmation dialog open");
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await VisitAsync("/Index", "/?tab=ended", "sessions, ended tab");
        await VisitAsync("/Index", "/?tab=ended&problems=1", "sessions with problems");
        await VisitAsync("/Index", "/?q=no-such-room", "sessions, no match");

        // At phone width the tables become cards with their own backgrounds.
        await Page.SetViewportSizeAsync(390, 844);
        await VisitAsync("/Index", "/", "sessions at phone width");
        await VisitAsync("/Sessions/Record", $"/sessions/{ids.Ended}", "ended session record at phone width");
        await Page.SetViewportSizeAsync(1280, 860);
        await VisitAsync("/Sessions/Record", $"/sessions/{ids.Live}", "live session record");
        await VisitAsync("/Sessions/Record", $"/sessions/{ids.Ended}", "ended session record");
        await VisitAsync("/Sessions/Record", "/sessions/0190a000-0000-7000-8000-000000000000", "unknown session");
        await VisitAsync("/Sessions/End", $"/sessions/{ids.Live}/end", "end confirmation page");
        await VisitAsync("/Sessions/DeleteHistory", $"/sessions/{ids.Ended}/delete-history", "session history deletion page");
        await VisitAsync("/Rooms/DeleteHistory", $"/rooms/{ids.Room}/delete-history", "room history deletion page");
        await VisitAsync("/Participants/Record", $"/participants/{ids.Participant}", "participant record");
        await VisitAsync("/Rooms/Index", "/rooms", "rooms");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for room daily-standup" }).ClickAsync();
        await CheckAsync("/Rooms/Index", "rooms, a row menu open");
        await VisitAsync("/Rooms/Sessions", $"/rooms/{ids.Room}/sessions", "room sessions");
        await VisitAsync("/Usage", "/usage", "usage");
        await OpenTablesAsync();
        await CheckAsync("/Usage", "usage with its tables open");
        await VisitAsync("/Usage", "/usage?range=day", "usage of a day");
        await VisitAsync("/Usage", "/usage?from=2026-11-24&to=2026-11-20", "usage with a reversed range");
        await Page.SetViewportSizeAsync(390, 844);
        await VisitAsync("/Usage", "/usage", "usage at phone width");
        await OpenTablesAsync();
        await CheckAsync("/Usage", "usage at phone width with its tables open");
        await Page.SetViewportSizeAsync(1280, 860);
        await VisitAsync("/Rooms/Edit", $"/rooms/{ids.Room}/edit", "room settings");
        await VisitAsync("/Rooms/Edit", "/rooms/new", "new room");
        await Page.GetByLabel("Grace period (seconds)").FillAsync("-1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(Page.Locator(".field-error:not(:empty)").First).ToBeVisibleAsync();
        await CheckAsync("/Rooms/Edit", "new room with errors");
        await VisitAsync("/Members", "/members", "members");
        await VisitAsync("/Settings", "/settings", "settings");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Rotate developer key" }).ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Rotate key" }).ClickAsync();
        await Expect(Page.GetByLabel("New developer key")).ToBeVisibleAsync();
        await CheckAsync("/Settings", "settings showing a new key");
        await Page.GetByLabel("High packet loss: average above (%)", new() { Exact = true }).FillAsync("-1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await CheckAsync("/Settings", "settings with a threshold error");
        await Page.GetByLabel("Allowed origins", new() { Exact = true }).FillAsync("ftp://x");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save origins" }).ClickAsync();
        await Expect(Page.Locator("#allowed-origins-error")).ToBeVisibleAsync();
        await CheckAsync("/Settings", "settings with an allowed origins error");
        await CheckWebhooksAsync();
        await VisitAsync("/Account", "/account", "account");
        await VisitAsync("/ApiAccess", "/api-access", "API access");
        await VisitAsync("/Audit/Index", "/audit", "audit log");
        await VisitAsync("/Audit/Index", "/audit?action=sign_in.succeeded", "audit log filtered by action");
        await VisitAsync("/Denied", "/denied", "admins only");
        await VisitAsync("/SignOut", "/signout", "sign-out");

        var pages = App.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>().Select(p => p.ViewEnginePath).ToHashSet();
        Assert.Empty(pages.Except(checkedPages));
        Assert.True(violations.Count == 0, Report());
    }

    [Fact]
    public async Task Every_page_a_viewer_can_open_has_no_wcag_a_or_aa_violation()
    {
        var ids = await ArrangeAsync();
        AddViewer(ViewerEmail, ViewerPassword);
        await SignInAsync(ViewerEmail, ViewerPassword);

        await CheckAsync("/Index", "sessions, live tab");
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Actions for session {ids.LiveShort} in daily-standup" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
        await CheckAsync("/Index", "sessions, a row menu open");
        await VisitAsync("/Index", "/?tab=ended", "sessions, ended tab");
        await VisitAsync("/Sessions/Record", $"/sessions/{ids.Live}", "live session record");
        await VisitAsync("/Sessions/Record", $"/sessions/{ids.Ended}", "ended session record");
        await VisitAsync("/Participants/Record", $"/participants/{ids.Participant}", "participant record");
        await VisitAsync("/Rooms/Index", "/rooms", "rooms");
        await VisitAsync("/Rooms/Sessions", $"/rooms/{ids.Room}/sessions", "room sessions");
        await VisitAsync("/Usage", "/usage", "usage");
        await VisitAsync("/Account", "/account", "account");
        await VisitAsync("/ApiAccess", "/api-access", "API access");
        await VisitAsync("/Audit/Index", "/audit", "audit log");
        await VisitAsync("/Audit/Index", "/audit?action=sign_in.succeeded", "audit log filtered by action");
        foreach (var adminOnly in new[] { "/settings", "/members", "/webhooks", "/rooms/new", $"/sessions/{ids.Live}/end" })
        {
            await Page.GotoAsync(adminOnly);
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Admins only" })).ToBeVisibleAsync();
            await CheckAsync("/Denied", $"admins only, from {adminOnly}");
        }

        await VisitAsync("/SignOut", "/signout", "sign-out");
        Assert.True(violations.Count == 0, Report());
    }

    private sealed record Ids(string Live, string LiveShort, string Ended, string Participant, string Room);

    /// <summary>A live, an ending-soon and ended sessions, with a participant who has quality samples and errors.</summary>
    private async Task<Ids> ArrangeAsync()
    {
        var t = Start.AddMinutes(-50);
        await IngestAsync(
            Native.Joined("support-desk", People.Ana, t, "c-ana-1", Native.Desktop()),
            Native.Joined("support-desk", People.Ben, t.AddMinutes(1), "c-ben", Native.Mobile()),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(2), "c-ana-1", new { rtt_ms = 48, packet_loss_pct = 0.4, jitter_ms = 6 }),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(4), "c-ana-1", new { rtt_ms = 310, packet_loss_pct = 9.5, jitter_ms = 41 }),
            Native.Event("audio_disabled", "support-desk", People.Ana, t.AddMinutes(5), "c-ana-1"),
            Native.Event("hand_raised", "support-desk", People.Ana, t.AddMinutes(5), "c-ana-1"),
            Native.Event("media_connection_failed", "support-desk", People.Ana, t.AddMinutes(6), "c-ana-1", new { code = "ICE_FAILED", message = "ICE connection failed" }),
            Native.Left("support-desk", People.Ana, t.AddMinutes(6), "c-ana-1", "network"),
            Native.Joined("support-desk", People.Ana, t.AddMinutes(7), "c-ana-2", Native.Desktop()),
            Native.Left("support-desk", People.Ben, t.AddMinutes(20), "c-ben"),
            Native.Left("support-desk", People.Ana, t.AddMinutes(24), "c-ana-2"),
            Native.Joined("design-review", People.Dana, Start.AddMinutes(-25), "c-dana", Native.Desktop()),
            Native.Left("design-review", People.Dana, Start.AddMinutes(-2), "c-dana"),
            Native.Joined("sales-demo", People.Chen, Start.AddMinutes(-40), "c-chen"),
            Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-14), "c-ana-3", Native.Desktop()),
            Native.Joined("daily-standup", People.Ben, Start.AddMinutes(-13), "c-ben-2", Native.Mobile()));
        var sales = await SessionIdAsync("sales-demo");
        (await Api.PostAsync($"/api/v1/sessions/{sales}/end", null, Cancellation)).EnsureSuccessStatusCode();
        (await Api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "quiet-room", description = "No calls yet" }, Cancellation)).EnsureSuccessStatusCode();

        var ended = await SessionIdAsync("support-desk");
        var live = await SessionIdAsync("daily-standup");

        // Ana's failed media connection is a problem: the pages are checked with their badges, panel and cards.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await SessionAsync(ended)).GetProperty("issues").GetProperty("errors").GetInt32() == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "The diagnosis found no problem in the support-desk session.");
            await Task.Delay(50, Cancellation);
        }

        return new Ids(live, live[..8] + "…" + live[^4..], ended, await ParticipantIdAsync(ended, People.Ana.Identity), await RoomIdAsync("daily-standup"));
    }

    /// <summary>
    /// The webhooks pages: the form with its errors, a new webhook's page with its secret and a delivery whose message is
    /// open, the delete dialog, the edit form, the delete page, the list, and the webhook's page at phone width.
    /// </summary>
    private async Task CheckWebhooksAsync()
    {
        await VisitAsync("/Webhooks/Index", "/webhooks", "webhooks, none yet");
        await Page.GetByLabel("Endpoint URL").FillAsync("ftp://example.com/hooks");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await CheckAsync("/Webhooks/Index", "new webhook with errors");
        await Page.GetByLabel("Endpoint URL").FillAsync("https://hooks.example.com/callscope");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Support alerts");
        await Page.GetByLabel("Bearer token", new() { Exact = true }).FillAsync("a-bearer-token");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(Page.GetByLabel("Signing secret")).ToBeVisibleAsync();
        await CheckAsync("/Webhooks/Details", "webhook showing its new signing secret");
        var webhook = new Uri(Page.Url).AbsolutePath;
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Page.GetByRole(AriaRole.Article).GetByText("Message", new() { Exact = true }).ClickAsync();
        await CheckAsync("/Webhooks/Details", "webhook with a delivery and its message open");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Delete" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await CheckAsync("/Webhooks/Details", "webhook, the delete confirmation dialog open");
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await VisitAsync("/Webhooks/Edit", webhook + "/edit", "webhook edit");
        await VisitAsync("/Webhooks/Delete", webhook + "/delete", "webhook delete confirmation page");
        await VisitAsync("/Webhooks/Index", "/webhooks", "webhooks");
        await Page.SetViewportSizeAsync(390, 844);
        await VisitAsync("/Webhooks/Details", webhook, "webhook at phone width");
        await Page.SetViewportSizeAsync(1280, 860);
    }

    /// <summary>Opens every "Show as table" of the usage page.</summary>
    private async Task OpenTablesAsync()
    {
        foreach (var summary in await Page.GetByText("Show as table").AllAsync())
        {
            await summary.ClickAsync();
        }

        await Expect(Page.Locator("details:not([open])")).ToHaveCountAsync(0);
    }

    private async Task VisitAsync(string page, string address, string what)
    {
        await Page.GotoAsync(address);
        await CheckAsync(page, what);
    }

    /// <summary>Runs axe-core on the page as it is now, in the light and then the dark scheme, and notes what it finds.</summary>
    private async Task CheckAsync(string page, string what)
    {
        checkedPages.Add(page);
        var options = new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = Tags } };
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await Page.EmulateMediaAsync(new() { ColorScheme = scheme });
            var result = await Page.RunAxe(options);
            foreach (var violation in result.Violations)
            {
                var nodes = string.Join("\n", violation.Nodes.Take(6).Select(n => $"      {n.Html}\n        {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}"));
                violations.Add($"{what} ({Page.Url}, {scheme}): {violation.Id} — {violation.Help} ({violation.Nodes.Length} element(s))\n{nodes}");
            }
        }

        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
    }

    private string Report()
    {
        var text = new StringBuilder($"{violations.Count} violation(s):\n");
        foreach (var v in violations)
        {
            text.AppendLine(v);
        }

        return text.ToString();
    }
}
