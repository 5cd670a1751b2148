using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>The team id, the user name of HTTP Basic, as the dashboard shows it to admins and to viewers.</summary>
public sealed class ApiAccessTests(BrowserFixture browser) : DashboardTest(browser)
{
    [Fact]
    public async Task An_admin_reads_the_team_id_on_settings_and_on_api_access_and_it_authenticates_with_http_basic()
    {
        await IngestAsync(Native.Joined("daily-standup", People.Ana, Start.AddMinutes(-5), "c-ana"));
        await SignInAsync();

        await Page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        var onSettings = await Page.GetByLabel("Team ID").InputValueAsync();
        Assert.Equal(App.TeamId.ToString(), onSettings);
        await Page.GetByRole(AriaRole.Link, new() { Name = "API access" }).First.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "API access", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Team ID")).ToHaveValueAsync(onSettings);
        await Expect(Page.GetByLabel("Example call with HTTP Basic")).ToContainTextAsync($"curl -u {onSettings}:$KEY http://127.0.0.1:");
        await ScreenshotAsync("api-access");

        // The id as shown, with the developer key, is accepted as HTTP Basic; another id with the same key is not.
        Assert.Equal(1, (await BasicAsync(onSettings)).GetProperty("total_count").GetInt32());
        using var other = await SendBasicAsync(Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task A_viewer_finds_the_team_id_on_the_api_access_page_in_the_main_navigation()
    {
        AddViewer();
        await SignInAsync("vera@example.test", "viewer-password-1");

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "API access" }).ClickAsync();
        await Expect(Page.GetByLabel("Team ID")).ToHaveValueAsync(App.TeamId.ToString());
        await Expect(Page.GetByRole(AriaRole.Main)).ToContainTextAsync("ask an admin of your team for it");
        await Expect(Page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Rotate it on the settings page" })).ToHaveCountAsync(0);
    }

    private async Task<JsonElement> BasicAsync(string teamId)
    {
        using var response = await SendBasicAsync(teamId);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    private async Task<HttpResponseMessage> SendBasicAsync(string teamId)
    {
        using var client = App.CreateClient();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{teamId}:{CallscopeApp.DeveloperKey}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sessions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return await client.SendAsync(request, Cancellation);
    }
}
