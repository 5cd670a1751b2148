using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Dashboard.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The Browser SDK section of Settings: the team's allowed origins, the same list as <c>allowed_origins</c> on
/// <c>GET/PATCH /api/v1/team</c>, and the script tag that loads the SDK from this server.
/// </summary>
public sealed class BrowserSdkSettingsTests(BrowserFixture browser) : DashboardTest(browser)
{
    private const string ViewerEmail = "vera@example.test";
    private const string ViewerPassword = "viewer-password-1";

    [Fact]
    public async Task An_admin_saves_allowed_origins_and_the_api_shows_them_normalised_in_the_order_given()
    {
        await SignInAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        var origins = Page.GetByLabel("Allowed origins", new() { Exact = true });
        await Expect(origins).ToHaveValueAsync(string.Empty);

        // Blank lines and spaces are ignored; a repeat, here with the default port written out, is kept once.
        await origins.FillAsync("HTTPS://App.Example.com/\n\n  http://localhost:5173  \nhttps://app.example.com:443");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save origins" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The allowed origins were saved.");
        await Expect(origins).ToHaveValueAsync("https://app.example.com\nhttp://localhost:5173");
        Assert.Equal(["https://app.example.com", "http://localhost:5173"], await AllowedOriginsAsync());

        // The saved origin is what CORS now grants; one not on the list gets no grant.
        Assert.Equal("https://app.example.com", await PreflightGrantAsync("https://app.example.com"));
        Assert.Null(await PreflightGrantAsync("https://elsewhere.example.com"));
    }

    [Fact]
    public async Task The_script_tag_shown_loads_the_sdk_from_this_server()
    {
        await SignInAsync();
        await Page.GotoAsync("/settings");

        var server = new Uri(Page.Url).GetLeftPart(UriPartial.Authority);
        var script = Page.GetByLabel("Script tag for the browser SDK");
        await Expect(script).ToHaveTextAsync($"<script src=\"{server}/sdk/callscope.js\"></script>");
        await Expect(Page.GetByRole(AriaRole.Main)).ToContainTextAsync("docs/browser-sdk.md");

        var sdk = await Page.APIRequest.GetAsync($"{server}/sdk/callscope.js");
        Assert.Equal(200, sdk.Status);
        Assert.StartsWith("text/javascript", sdk.Headers["content-type"], StringComparison.Ordinal);
        Assert.Contains("Callscope", await sdk.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_that_is_not_an_origin_shows_why_and_changes_nothing()
    {
        await PatchOriginsAsync("https://app.example.com");
        await SignInAsync();
        await Page.GotoAsync("/settings");
        var origins = Page.GetByLabel("Allowed origins", new() { Exact = true });
        await Expect(origins).ToHaveValueAsync("https://app.example.com");

        var typed = "https://app.example.com\nhttps://new.example.com\nftp://x";
        await origins.FillAsync(typed);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save origins" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Nothing was changed. Correct the origins marked below.");
        var error = Page.Locator("#allowed-origins-error");
        await Expect(error).ToContainTextAsync("'ftp://x' is not an origin: write it as https://app.example.com");
        await Expect(origins).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(origins).ToHaveAttributeAsync("aria-describedby", "allowed-origins-hint allowed-origins-error");
        await Expect(origins).ToHaveValueAsync(typed);
        Assert.Equal(["https://app.example.com"], await AllowedOriginsAsync());
        await ScreenshotAsync("settings-browser-sdk");

        // Corrected, it saves; an empty list is allowed and says what it means.
        await origins.FillAsync(string.Empty);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save origins" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The allowed origins were saved: none, so no other site's pages can send browser events.");
        await Expect(origins).Not.ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await AllowedOriginsAsync());
    }

    [Fact]
    public async Task More_origins_than_a_team_may_allow_are_refused()
    {
        await SignInAsync();
        await Page.GotoAsync("/settings");

        var many = string.Join('\n', Enumerable.Range(1, 51).Select(i => $"https://app{i}.example.com"));
        await Page.GetByLabel("Allowed origins", new() { Exact = true }).FillAsync(many);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save origins" }).ClickAsync();

        await Expect(Page.Locator("#allowed-origins-error")).ToHaveTextAsync("A team can allow at most 50 origins; this list has 51.");
        Assert.Empty(await AllowedOriginsAsync());
    }

    [Fact]
    public async Task A_viewer_cannot_open_the_origins_form_and_is_refused_when_posting_it_anyway()
    {
        await PatchOriginsAsync("https://app.example.com");
        AddViewer(ViewerEmail, ViewerPassword);
        await SignInAsync(ViewerEmail, ViewerPassword);

        await Page.GotoAsync("/settings");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Admins only" })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Allowed origins", new() { Exact = true })).ToHaveCountAsync(0);

        // Posting the form anyway, with the viewer's own valid anti-forgery token, is refused by the server.
        await Page.GotoAsync("/");
        var token = await Page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        var response = await Page.APIRequest.PostAsync("/settings?handler=Origins", new()
        {
            Form = Page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token).Set("allowed_origins", "https://evil.example.com"),
        });
        Assert.Equal(403, response.Status);
        Assert.Contains("Admins only", await response.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(["https://app.example.com"], await AllowedOriginsAsync());
    }

    private async Task<string[]> AllowedOriginsAsync()
    {
        var team = await Api.GetFromJsonAsync<JsonElement>("/api/v1/team", Cancellation);
        return [.. team.GetProperty("allowed_origins").EnumerateArray().Select(o => o.GetString()!)];
    }

    private async Task PatchOriginsAsync(params string[] origins)
    {
        using var response = await Api.PatchAsJsonAsync("/api/v1/team", new { allowed_origins = origins }, Cancellation);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The origin a browser's preflight for the client ingest endpoint is granted, or null when none is.</summary>
    private async Task<string?> PreflightGrantAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/ingest/client");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        using var response = await Api.SendAsync(request, Cancellation);
        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var granted) ? granted.Single() : null;
    }
}
