using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>A participant of a 14-hour call with a quality sample every 5 s: the record page stays light and its chart readable.</summary>
public sealed class LongCallChartTests(BrowserFixture browser) : DashboardTest(browser)
{
    private const int Samples = 10_000;
    private const int MaxPageBytes = 300 * 1024;

    [Fact]
    public async Task A_participant_with_ten_thousand_samples_gets_a_light_page_with_an_aggregated_chart_that_zooms_into_a_range()
    {
        var joined = Start.AddHours(-15);
        await IngestAsync(Native.Joined("night-shift", People.Ana, joined, "c-ana", Native.Desktop()));
        for (var batch = 0; batch < Samples / 1000; batch++)
        {
            await IngestAsync([.. Enumerable.Range(batch * 1000, 1000).Select(i => Native.Event(
                "quality_sample", "night-shift", People.Ana, joined.AddSeconds(5 * (i + 1)), "c-ana",
                new { rtt_ms = 40 + (i % 60), packet_loss_pct = i % 100 == 0 ? 12.5 : 0.5 }))]);
        }

        await IngestAsync(Native.Left("night-shift", People.Ana, joined.AddSeconds(5 * (Samples + 1)), "c-ana"));
        var participant = await ParticipantIdAsync(await SessionIdAsync("night-shift"), People.Ana.Identity);
        await SignInAsync();

        var response = await Page.GotoAsync($"/participants/{participant}");
        var bytes = (await response!.BodyAsync()).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"The record page weighs {bytes} bytes.");
        Assert.True(bytes < MaxPageBytes, $"the record page weighs {bytes} bytes");
        var chart = Page.GetByRole(AriaRole.Img, new() { NameRegex = new("^Packet loss and round-trip time") });
        await Expect(chart).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
            "10000 quality sample\\(s\\): packet loss up to 12.5 %, round-trip time up to 99 ms; shown as the minimum, mean and maximum of each"));
        Assert.InRange(await chart.Locator(".bucket").CountAsync(), 100, 250);
        await Expect(chart.Locator("circle")).ToHaveCountAsync(0);
        await ScreenshotAsync("participant-long-call");

        var from = joined.AddHours(2);
        var to = from.AddMinutes(10);
        await Page.GetByLabel("From (UTC)").FillAsync(from.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await Page.GetByLabel("To (UTC)").FillAsync(to.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Zoom" }).ClickAsync();

        await Expect(chart).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
            "From 2026-11-24 21:00:00 to 2026-11-24 21:10:00 \\(UTC\\): 121 quality sample\\(s\\)"));
        await Expect(chart.Locator("circle.point.rtt")).ToHaveCountAsync(121);
        await Expect(chart.Locator(".tick").First).ToHaveTextAsync("21:00");
        await Expect(chart.Locator(".tick").Last).ToHaveTextAsync("21:10");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Whole call" }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Packet loss and round-trip time over time. 10000 quality sample"));
    }
}
