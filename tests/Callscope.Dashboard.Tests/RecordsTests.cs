using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed class RecordsTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task The_session_record_leads_to_the_participant_record_whose_events_log_shows_the_ingested_events()
    {
        var t = Start.AddMinutes(-30);
        await IngestAsync(
            Native.Joined("support-desk", People.Ana, t, "c-ana-1", Native.Desktop("Chrome", "macOS")),
            Native.Joined("support-desk", People.Ben, t.AddMinutes(1), "c-ben", Native.Mobile()),
            Native.Event("audio_disabled", "support-desk", People.Ana, t.AddMinutes(2), "c-ana-1"),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(3), "c-ana-1", new { rtt_ms = 48, packet_loss_pct = 0.4, jitter_ms = 6 }),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(5), "c-ana-1", new { rtt_ms = 95, packet_loss_pct = 2.1, jitter_ms = 14 }),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(7), "c-ana-1", new { rtt_ms = 310, packet_loss_pct = 9.5, jitter_ms = 41 }),
            Native.Event("media_connection_failed", "support-desk", People.Ana, t.AddMinutes(8), "c-ana-1", new { code = "ICE_FAILED", message = "ICE connection failed" }),
            Native.Left("support-desk", People.Ana, t.AddMinutes(8).AddSeconds(5), "c-ana-1", "network"),
            Native.Joined("support-desk", People.Ana, t.AddMinutes(9), "c-ana-2", Native.Desktop("Chrome", "macOS")),
            Native.Event("quality_sample", "support-desk", People.Ana, t.AddMinutes(11), "c-ana-2", new { rtt_ms = 52, packet_loss_pct = 0.2, jitter_ms = 5 }),
            Native.Event("audio_enabled", "support-desk", People.Ana, t.AddMinutes(12), "c-ana-2"),
            Native.Left("support-desk", People.Ben, t.AddMinutes(20), "c-ben"),
            Native.Left("support-desk", People.Ana, t.AddMinutes(24), "c-ana-2"));
        await SignInAsync();

        await Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Link, new() { Name = "support-desk" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Session in support-desk" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Group, new() { NameRegex = new("^Timeline of the session") }))
            .ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("2 participant\\(s\\), 3 connection\\(s\\), with the 7 min grace period after the last leave at 09:54:00"));
        var participants = Page.GetByRole(AriaRole.Table, new() { Name = "Participants" });
        await Expect(participants.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Ruiz" })).ToContainTextAsync("moderator");
        await Expect(participants.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ben Okafor" })).ToContainTextAsync("mobile");
        await ScreenshotAsync("session");

        await participants.GetByRole(AriaRole.Link, new() { Name = "Ana Ruiz" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Ana Ruiz" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Main)).ToContainTextAsync("Reconnects1");
        await Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Connections" }).GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        var log = Page.GetByRole(AriaRole.List, new() { Name = "Events log" });
        await Expect(log.GetByRole(AriaRole.Listitem).Locator("code")).ToHaveTextAsync(
        [
            "participant_joined", "audio_disabled", "media_connection_failed", "participant_left", "participant_joined", "audio_enabled", "participant_left",
        ]);
        await Expect(Page.Locator(".log-count")).ToContainTextAsync("4 quality samples are folded: the chart above holds them.");
        await Expect(log.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "media_connection_failed" })).ToContainTextAsync("ICE_FAILED");
        await Expect(Page.GetByRole(AriaRole.Img, new() { NameRegex = new("^Packet loss and round-trip time") }))
            .ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("4 quality sample\\(s\\): packet loss up to 9.5 %, round-trip time up to 310 ms"));
        await ScreenshotAsync("participant");

        await Page.GetByRole(AriaRole.Link, new() { Name = "List the quality samples" }).ClickAsync();
        await Expect(log.GetByRole(AriaRole.Listitem).Locator("code")).ToHaveTextAsync(["quality_sample", "quality_sample", "quality_sample", "quality_sample"]);
        await Expect(Page.GetByRole(AriaRole.Checkbox, new() { Name = "Quality" })).ToBeCheckedAsync();

        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Quality" }).UncheckAsync();
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Errors" }).CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(log.GetByRole(AriaRole.Listitem).Locator("code")).ToHaveTextAsync(["media_connection_failed"]);
    }
}
