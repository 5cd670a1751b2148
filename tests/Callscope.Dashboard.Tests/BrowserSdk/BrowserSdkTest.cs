using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Data.Writing;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// A browser SDK test: the real server on Kestrel with its own SQLite database, and pages of an app at another origin
/// (<see cref="MediaBrowser.AppOrigin"/>) that load the SDK bundle the server serves and send
/// to the server cross-origin, through its real CORS. The server's clock follows the real one, since the browser stamps
/// events with real time.
/// </summary>
[Collection(nameof(MediaBrowser))]
public abstract class BrowserSdkTest(MediaBrowser browser) : IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];
    private readonly List<string> browserLog = [];
    private readonly CancellationTokenSource clockStop = new();
    private Task? clock;

    private WebApplicationFactory<Program>? host;

    /// <summary>The app's settings, database folder and clock; the server itself is <see cref="Host"/>.</summary>
    protected CallscopeApp App { get; } = new();

    /// <summary>The running server: <see cref="App"/> with the <see cref="Ingest"/> recorder at its door.</summary>
    protected WebApplicationFactory<Program> Host => host!;

    /// <summary>The requests the browser ingest endpoint got, with their answers.</summary>
    protected IngestRecorder Ingest { get; } = new();

    protected HttpClient Api { get; private set; } = null!;

    /// <summary>The browser, and the app's two origins.</summary>
    protected MediaBrowser Origins => browser;

    /// <summary>The server's base address, without the trailing slash.</summary>
    protected string Server { get; private set; } = null!;

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // Set before the server starts: moving a fake clock days ahead later would run every periodic timer for each
        // period in between.
        App.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        // CallscopeApp.StartOnKestrel with one more thing: the recorder. The app's own default address (port 5080) would
        // win over UseKestrel(0) in a derived factory, so the free port is asked for in the settings too.
        host = App.WithWebHostBuilder(builder => builder
            .UseSetting("urls", "http://127.0.0.1:0")
            .ConfigureServices(services => services.AddSingleton<IStartupFilter>(Ingest)));
        host.UseKestrel(0);
        host.StartServer();
        Server = host.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        Api = host.CreateClient();
        Api.DefaultRequestHeaders.Authorization = new("Bearer", CallscopeApp.DeveloperKey);
        clock = FollowRealTimeAsync(clockStop.Token);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        lock (browserLog)
        {
            // What the pages said (the SDK reports failures on the console): read when a test fails.
            foreach (var line in browserLog)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(line);
            }

            foreach (var request in Ingest.Requests)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"ingest: {request.Method} from {request.Origin} (token in query: {request.TokenInQuery}) answered {request.Status}, grant {request.AllowOrigin}");
            }
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }

        await clockStop.CancelAsync();
        if (clock is not null)
        {
            await clock;
        }

        clockStop.Dispose();
        Api?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sets the team's allowed origins through the API, as an admin would on the settings page.</summary>
    protected async Task AllowOriginsAsync(params string[] origins)
    {
        var response = await Api.PatchAsJsonAsync("/api/v1/team", new { allowed_origins = origins }, Cancellation);
        Assert.True(response.IsSuccessStatusCode, $"PATCH /team answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}");
    }

    /// <summary>A client token for one participant of one room, from the app's backend (the developer key).</summary>
    protected async Task<string> ClientTokenAsync(string room, string externalId, string? name = null)
    {
        var response = await Api.PostAsJsonAsync(
            "/api/v1/client-tokens", new { room, participant = new { external_id = externalId, name = name ?? externalId } }, Cancellation);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.True(response.IsSuccessStatusCode, $"POST /client-tokens answered {(int)response.StatusCode}: {body}");
        return body.GetProperty("token").GetString()!;
    }

    /// <summary>
    /// A fresh context with one call page of the app at <paramref name="origin"/> (default the allowed one), the SDK loaded
    /// from the server. The context has the camera and microphone only when <paramref name="media"/> is true.
    /// </summary>
    protected async Task<IPage> OpenAppAsync(string? origin = null, bool media = true)
    {
        origin ??= browser.AppOrigin;
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Permissions = media ? ["camera", "microphone"] : [],
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => Log($"{origin} console {message.Type}: {message.Text}");
        page.PageError += (_, error) => Log($"{origin} page error: {error}");
        await page.GotoAsync($"{origin}/call?server={Uri.EscapeDataString(Server)}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-sdk", "loaded");
        return page;
    }

    /// <summary>Connects the page's SDK client with the token; <paramref name="options"/> are more options for connect.</summary>
    protected Task ConnectAsync(IPage page, string token, object? options = null) =>
        page.EvaluateAsync("([url, token, options]) => sdkTest.connect({ url, token, ...options })", new object?[] { Server, token, options ?? new { } });

    /// <summary>The participant's id once the server knows them in the room (bounded wait).</summary>
    protected Task<string> ParticipantIdAsync(string room, string externalId) =>
        PollAsync(
            async () =>
            {
                var response = await Api.GetAsync($"/api/v1/rooms/{room}/participants?limit=100", Cancellation);
                if (!response.IsSuccessStatusCode)
                {
                    return null;
                }

                var list = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
                return list.GetProperty("data").EnumerateArray()
                    .Where(p => p.GetProperty("external_id").GetString() == externalId)
                    .Select(p => p.GetProperty("id").GetString())
                    .FirstOrDefault();
            },
            TimeSpan.FromSeconds(15),
            $"participant {externalId} in room {room}");

    /// <summary>The room's participants' external ids now (empty when the room does not exist).</summary>
    protected async Task<IReadOnlyList<string>> RoomParticipantsAsync(string room)
    {
        var response = await Api.GetAsync($"/api/v1/rooms/{room}/participants?limit=100", Cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        var list = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        return [.. list.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("external_id").GetString() ?? "")];
    }

    /// <summary>The participant's events log (the newest 100).</summary>
    protected async Task<IReadOnlyList<JsonElement>> EventsAsync(string participantId)
    {
        var list = await Api.GetFromJsonAsync<JsonElement>($"/api/v1/participants/{participantId}/events?limit=100", Cancellation);
        return [.. list.GetProperty("data").EnumerateArray()];
    }

    /// <summary>The participant's kept issues.</summary>
    protected async Task<IReadOnlyList<JsonElement>> IssuesAsync(string participantId)
    {
        var list = await Api.GetFromJsonAsync<JsonElement>($"/api/v1/participants/{participantId}/issues?limit=100", Cancellation);
        return [.. list.GetProperty("data").EnumerateArray()];
    }

    /// <summary>Asks until the probe answers something (bounded); fails naming what never came.</summary>
    protected static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan within, string what)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"No {what} within {within.TotalSeconds} s.");
            }

            await Task.Delay(250, Cancellation);
        }
    }

    /// <summary>Waits until the writer has handled everything queued so far.</summary>
    protected async Task SettleAsync()
    {
        var pipeline = Host.Services.GetRequiredService<IngestPipeline>();
        for (var i = 0; i < 3; i++)
        {
            await pipeline.SendAsync(new ExpireCommand());
        }
    }

    protected void Log(string line)
    {
        lock (browserLog)
        {
            browserLog.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    private async Task FollowRealTimeAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = DateTimeOffset.UtcNow;
                if (now > App.Clock.GetUtcNow())
                {
                    App.Clock.SetUtcNow(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }
}
