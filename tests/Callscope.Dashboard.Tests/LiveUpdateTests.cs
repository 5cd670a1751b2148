using System.Diagnostics;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed class LiveUpdateTests(BrowserFixture browser) : DashboardTest(browser)
{
    private static readonly LocatorAssertionsToContainTextOptions WithinTwoSeconds = new() { Timeout = 2000 };

    [Fact]
    public async Task A_new_event_appears_on_open_pages_within_two_seconds_without_a_reload()
    {
        await IngestAsync(Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-5), "c-ana"));
        var session = await SessionIdAsync("daily-standup");
        var ana = await ParticipantIdAsync(session, People.Ana.Identity);
        await SignInAsync();
        var sessions = Page;
        var record = await NewTabAsync();
        await record.GotoAsync($"/participants/{ana}");
        var log = record.GetByRole(AriaRole.List, new() { Name = "Events log" });
        await Expect(log.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        var row = sessions.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "daily-standup" });
        await Expect(row).ToContainTextAsync("1 / 1 / 1");

        // A reload would drop these marks.
        await sessions.EvaluateAsync("window.notReloaded = true");
        await record.EvaluateAsync("window.notReloaded = true");
        var clock = Stopwatch.StartNew();
        await IngestAsync(
            Native.Event("hand_raised", "daily-standup", People.Ana, Start.AddMinutes(-1), "c-ana"),
            Native.Joined("daily-standup", People.Ben, Start.AddMinutes(-1), "c-ben"));

        await Expect(log).ToContainTextAsync("hand_raised", WithinTwoSeconds);
        await Expect(row).ToContainTextAsync("2 / 2 / 2", WithinTwoSeconds);
        await Expect(sessions.GetByRole(AriaRole.Group, new() { Name = "Live figures" })).ToContainTextAsync("2 in calls", WithinTwoSeconds);
        TestContext.Current.TestOutputHelper?.WriteLine($"Both pages showed the new events {clock.ElapsedMilliseconds} ms after the ingest was accepted.");
        Assert.True(await sessions.EvaluateAsync<bool>("window.notReloaded === true"));
        Assert.True(await record.EvaluateAsync<bool>("window.notReloaded === true"));
    }
}
