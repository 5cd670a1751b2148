using System.Text.Json;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// Every way a session ends, as the sessions list and the record show it: the end reason and who ended it must say
/// the same thing (an API client, a member by email, a moderator, the grace period).
/// </summary>
public sealed class EndReasonTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task Each_way_a_session_ends_is_shown_coherently_in_the_ended_tab_and_on_the_record()
    {
        await IngestAsync(
            Native.Joined("grace-room", People.Elif, Start.AddHours(-3), "c-elif"),
            Native.Left("grace-room", People.Elif, Start.AddHours(-2), "c-elif"),
            Native.Joined("moderated-room", People.Ana, Start.AddMinutes(-40), "c-ana"),
            Native.Event("session_ended", "moderated-room", People.Ana, Start.AddMinutes(-35), "c-ana", new { ended_by = People.Ana.Identity }),
            Native.Joined("api-room", People.Ben, Start.AddMinutes(-30), "c-ben"),
            Native.Joined("member-room", People.Chen, Start.AddMinutes(-20), "c-chen"),
            Native.Joined("deleted-room", People.Dana, Start.AddMinutes(-10), "c-dana"));
        var ids = new Dictionary<string, string>();
        foreach (var room in new[] { "grace-room", "moderated-room", "api-room", "member-room", "deleted-room" })
        {
            ids[room] = await SessionIdAsync(room);
        }

        // The API with the developer key, deleting a room with it, and a member on the dashboard.
        (await Api.PostAsync($"/api/v1/sessions/{ids["api-room"]}/end", null, Cancellation)).EnsureSuccessStatusCode();
        (await Api.DeleteAsync("/api/v1/rooms/deleted-room", Cancellation)).EnsureSuccessStatusCode();
        await SignInAsync();
        await Page.GotoAsync($"/sessions/{ids["member-room"]}/end");
        await Page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The session in member-room was ended.");

        // What the API stores for each, which the pages below must describe.
        Assert.Equal(("api", "api"), await EndOfAsync(ids["api-room"]));
        Assert.Equal(("api", "api"), await EndOfAsync(ids["deleted-room"]));
        Assert.Equal(("api", CallscopeApp.AdminEmail), await EndOfAsync(ids["member-room"]));
        Assert.Equal(("moderator", People.Ana.Identity), await EndOfAsync(ids["moderated-room"]));
        Assert.Equal(("grace_expired", (string?)null), await EndOfAsync(ids["grace-room"]));

        var expected = new (string Room, string InList, string Reason, string EndedBy)[]
        {
            ("api-room", "ended through the API", "ended through the API", "an API client (developer key)"),
            ("deleted-room", "ended through the API", "ended through the API", "an API client (developer key)"),
            ("member-room", $"ended by {CallscopeApp.AdminEmail}", "ended by a team member", CallscopeApp.AdminEmail),
            ("moderated-room", "ended by a moderator", "ended by a moderator", People.Ana.Identity),
            ("grace-room", "grace period expired", "grace period expired", "—"),
        };

        await Page.GotoAsync("/?tab=ended");
        var rows = Page.GetByRole(AriaRole.Table, new() { Name = "Sessions" }).GetByRole(AriaRole.Row);
        await Expect(rows).ToHaveCountAsync(expected.Length + 1);
        foreach (var (room, inList, _, _) in expected)
        {
            await Expect(rows.Filter(new() { HasText = room }).Locator(".end-reason")).ToHaveTextAsync(inList);
        }

        await Expect(rows.Filter(new() { HasText = "deleted-room" })).ToContainTextAsync("(deleted room)");
        await ScreenshotAsync("sessions-ended");

        foreach (var (room, _, reason, endedBy) in expected)
        {
            await Page.GotoAsync($"/sessions/{ids[room]}");
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"Session in {room}" })).ToBeVisibleAsync();
            await Expect(Detail("End reason")).ToHaveTextAsync(reason);
            await Expect(Detail("Ended by")).ToHaveTextAsync(endedBy);
        }
    }

    private ILocator Detail(string term) => Page.Locator($"xpath=//dl[contains(@class,'details')]//dt[normalize-space()='{term}']/following-sibling::dd[1]");

    private async Task<(string? Reason, string? EndedBy)> EndOfAsync(string id)
    {
        var session = await SessionAsync(id);
        Assert.Equal("ended", session.GetProperty("status").GetString());
        var endedBy = session.GetProperty("ended_by");
        return (session.GetProperty("end_reason").GetString(), endedBy.ValueKind == JsonValueKind.Null ? null : endedBy.GetString());
    }
}
