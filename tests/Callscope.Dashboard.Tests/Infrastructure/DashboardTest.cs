using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Dashboard.Tests.Infrastructure;

/// <summary>
/// A browser test against the real server on Kestrel with its own SQLite database: a fresh app, a fresh browser
/// context at 1280 px, the developer-key API for arranging data, and screenshots into docs/screenshots.
/// </summary>
public abstract class DashboardTest(BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext? context;

    protected CallscopeApp App { get; } = new();

    protected HttpClient Api { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    protected static DateTimeOffset Start => CallscopeApp.Start;

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var address = App.StartOnKestrel();
        Api = App.Api();
        context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            Locale = "en-US",
            TimezoneId = "UTC",
            ColorScheme = ColorScheme.Light,
        });
        Page = await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (context is not null)
        {
            await context.CloseAsync();
        }

        Api?.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A viewer, Vera Viewer, in the app's team, added straight to the store.</summary>
    protected void AddViewer(string email = "vera@example.test", string password = "viewer-password-1")
    {
        var hasher = App.Services.GetRequiredService<IPasswordHasher<Member>>();
        App.Services.GetRequiredService<TeamStore>().AddMember(App.TeamId, email, "Vera Viewer", hasher.HashPassword(null!, password), Roles.Viewer);
    }

    /// <summary>Another tab of the same signed-in browser.</summary>
    protected Task<IPage> NewTabAsync() => context!.NewPageAsync();

    protected Task IngestAsync(params object[] events) => Events.PostAsync(Api, events);

    protected async Task SignInAsync(string email = CallscopeApp.AdminEmail, string password = CallscopeApp.AdminPassword)
    {
        await Page.GotoAsync("/signin");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
    }

    protected async Task SignOutAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    /// <summary>The id of the newest session of a room, read through the REST API.</summary>
    protected async Task<string> SessionIdAsync(string room)
    {
        var sessions = await Api.GetFromJsonAsync<JsonElement>($"/api/v1/rooms/{room}/sessions?limit=1", Cancellation);
        return sessions.GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    protected async Task<JsonElement> SessionAsync(string id) =>
        await Api.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{id}", Cancellation);

    protected async Task<string> RoomIdAsync(string room) =>
        (await Api.GetFromJsonAsync<JsonElement>($"/api/v1/rooms/{room}", Cancellation)).GetProperty("id").GetString()!;

    protected async Task<string> ParticipantIdAsync(string sessionId, string identity)
    {
        var participants = await Api.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{sessionId}/participants", Cancellation);
        return participants.GetProperty("data").EnumerateArray()
            .First(p => p.GetProperty("external_id").GetString() == identity)
            .GetProperty("id").GetString()!;
    }

    protected Task ScreenshotAsync(string name, IPage? page = null) =>
        (page ?? Page).ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathOf(name), FullPage = true });
}
