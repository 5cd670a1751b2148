namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// Debian's Chromium with a fake camera and microphone, for the browser SDK's tests. Unlike the dashboard's browser it
/// grants no camera by itself: a context gets the camera and microphone only when the test grants them, so a context
/// without them sees getUserMedia refused with NotAllowedError, as a user who clicked "Block" would.
/// </summary>
public sealed class MediaBrowser : IAsyncLifetime
{
    /// <summary>The origin of the app that embeds the SDK: listed in the team's allowed origins by the tests.</summary>
    public const string AppOrigin = "http://app.test";

    /// <summary>An origin no team lists.</summary>
    public const string ForeignOrigin = "http://other.test";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
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
                // The test origins are served by request routing over plain http; getUserMedia needs a secure context.
                $"--unsafely-treat-insecure-origin-as-secure={AppOrigin},{ForeignOrigin}",
                // The test server listens on loopback, which Chromium's Local Network Access would fence off from a
                // public origin with a permission prompt; a deployed server is public, so the check is off here.
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
    }
}

/// <summary>The browser SDK's tests share one media browser and run one after another: a call uses both cores.</summary>
[CollectionDefinition(nameof(MediaBrowser))]
public sealed class MediaBrowserCollection : ICollectionFixture<MediaBrowser>;
