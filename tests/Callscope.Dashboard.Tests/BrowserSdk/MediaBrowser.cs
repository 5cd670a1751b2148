using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// Debian's Chromium with a fake camera and microphone, for the browser SDK's tests, and the web server of the app that
/// embeds the SDK. The app's pages are served for real (not by Playwright's request routing, which would answer CORS
/// preflights itself) at two made-up host names that Chromium resolves to this machine: <see cref="AppOrigin"/>, which
/// the tests list in the team's allowed origins, and <see cref="ForeignOrigin"/>, which no team lists.
/// Unlike the dashboard's browser it grants no camera by itself: a context gets the camera and microphone only when the
/// test grants them, so a context without them sees getUserMedia refused with NotAllowedError, as after "Block".
/// </summary>
public sealed class MediaBrowser : IAsyncLifetime
{
    private IPlaywright? playwright;
    private WebApplication? pages;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The origin of the app under test, <c>http://app.test:port</c>.</summary>
    public string AppOrigin { get; private set; } = null!;

    /// <summary>The same app at an origin no team allows, <c>http://other.test:port</c>.</summary>
    public string ForeignOrigin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var port = await StartPagesAsync();
        AppOrigin = $"http://app.test:{port}";
        ForeignOrigin = $"http://other.test:{port}";
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic",
                // Fake capture devices (a test pattern and a beep); the permission itself stays the context's to grant.
                "--use-fake-device-for-media-stream",
                "--host-resolver-rules=MAP app.test 127.0.0.1, MAP other.test 127.0.0.1",
                // The app's origins are plain http; getUserMedia needs a secure context.
                $"--unsafely-treat-insecure-origin-as-secure={AppOrigin},{ForeignOrigin}",
                // Chromium's Local Network Access would put a permission prompt before a page's requests to loopback; the
                // test server listens there, a deployed server does not, so the check is off here.
                "--disable-features=LocalNetworkAccessChecks",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (pages is not null)
        {
            await pages.DisposeAsync();
        }
    }

    /// <summary>
    /// The app's web server: <c>/call?server=URL</c> is the call page that loads the SDK from the Callscope server at URL;
    /// any other path is a plain page to navigate away to.
    /// </summary>
    private async Task<int> StartPagesAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        pages = builder.Build();
        pages.MapGet("/call", (string server) => Results.Content(TestPage.Html(server), "text/html; charset=utf-8"));
        pages.MapFallback(() => Results.Content("<!doctype html><title>Goodbye</title><h1>Goodbye</h1>", "text/html; charset=utf-8"));
        await pages.StartAsync();
        var address = pages.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address).Port;
    }
}

/// <summary>The browser SDK's tests share one media browser and run one after another: a call uses both cores.</summary>
[CollectionDefinition(nameof(MediaBrowser))]
public sealed class MediaBrowserCollection : ICollectionFixture<MediaBrowser>;
