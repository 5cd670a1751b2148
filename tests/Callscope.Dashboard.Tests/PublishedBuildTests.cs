using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The server as it is installed: published once for the run with <c>dotnet publish</c> into a folder of its own, then
/// started the way a service manager starts it, <c>cd /var/lib/callscope &amp;&amp; dotnet /opt/callscope/callscope.dll</c>,
/// from another, empty folder, with the default settings.
/// </summary>
public sealed partial class PublishedBuildTests(BrowserFixture browser, PublishedServer server) : IClassFixture<PublishedServer>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Started_from_another_folder_the_dashboard_is_styled_and_its_script_runs()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var assets = new List<(string Path, int Status, string? Type)>();
        page.Response += (_, response) =>
        {
            var path = new Uri(response.Url).AbsolutePath;
            if (path is "/dashboard.css" or "/dashboard.js")
            {
                lock (assets)
                {
                    assets.Add((path, response.Status, response.Headers.GetValueOrDefault("content-type")));
                }
            }
        };

        // The script opens the live-update feed on every page it runs in.
        var feed = page.WaitForRequestAsync(request => new Uri(request.Url).AbsolutePath == "/dashboard/updates");
        await SignInAsync(page);

        // The script's answer has surely arrived once the script has run: sign-in can return before it has.
        await feed;
        lock (assets)
        {
            Assert.True(assets.Count > 0 && assets.All(a => a.Status == 200), "stylesheet and script answers: " + string.Join(", ", assets));
            Assert.Contains(assets, a => a is { Path: "/dashboard.css", Status: 200 } && a.Type!.StartsWith("text/css", StringComparison.Ordinal));
            Assert.Contains(assets, a => a is { Path: "/dashboard.js", Status: 200 } && a.Type!.Contains("javascript", StringComparison.Ordinal));
        }

        var styled = await page.EvaluateAsync<bool>("""
            () => [...document.styleSheets].some(s => s.href && new URL(s.href).pathname === '/dashboard.css' && s.cssRules.length > 20)
                && getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() !== ''
                && getComputedStyle(document.body).backgroundColor !== 'rgba(0, 0, 0, 0)'
                && getComputedStyle(document.body).margin === '0px'
            """);
        Assert.True(styled, "the dashboard's stylesheet should be loaded and applied");

        // Live updates: a call that starts now appears without reloading the page, and its row opens the session.
        using (var api = server.Api())
        {
            var posted = await api.PostAsJsonAsync("/api/v1/ingest/events", new
            {
                events = new[]
                {
                    new
                    {
                        id = "published-" + Guid.NewGuid().ToString("N"),
                        type = "participant_joined",
                        timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                        room = new { friendly_url = "published-standup" },
                        participant = new { external_id = "ana", name = "Ana" },
                    },
                },
            }, Cancellation);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var row = page.Locator("tr[data-href]").Filter(new() { HasText = "published-standup" });
        await Expect(row).ToBeVisibleAsync();
        await row.Locator("code").ClickAsync();
        await Expect(page).ToHaveURLAsync(SessionUrl());

        var icon = await page.APIRequest.GetAsync("/favicon.ico");
        Assert.Equal(200, icon.Status);
        Assert.Equal("image/x-icon", icon.Headers["content-type"]);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(server.Application, "wwwroot", "favicon.ico"), Cancellation), await icon.BodyAsync());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_default_data_folder_is_data_in_the_working_directory_and_private()
    {
        // Serving has created the database and, with the sign-in form, the key ring.
        await using (var context = await NewContextAsync())
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/signin");
        }

        var data = Path.Combine(server.WorkingDirectory, "data");
        Assert.True(File.Exists(Path.Combine(data, "callscope.db")), $"the database should be in {data}");
        Assert.False(Directory.Exists(Path.Combine(server.Application, "data")), "nothing should be written next to the application");
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "keys")));

        const UnixFileMode folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(folder, File.GetUnixFileMode(data));
        foreach (var entry in Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories))
        {
            Assert.True((Directory.Exists(entry) ? folder : file) == File.GetUnixFileMode(entry), $"{entry} is {File.GetUnixFileMode(entry)}");
        }
    }

    [Fact]
    public async Task The_published_settings_log_callscope_but_no_request_lines()
    {
        Assert.True(File.Exists(Path.Combine(server.Application, "appsettings.json")), "appsettings.json should be published");

        const string marker = "query-marker-5c1e";
        using (var api = server.Api())
        {
            foreach (var path in new[] { "/health/ready", "/api/v1/sessions", "/api/v1/rooms", "/signin", "/dashboard.css", "/scalar/", "/no-such-page" })
            {
                using var response = await api.GetAsync($"{path}?token={marker}", Cancellation);
                Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            }
        }

        // Callscope's own Information line for a sign-in comes after the lines of every request above.
        var signedIn = server.Count("signed in to the dashboard");
        await using (var context = await NewContextAsync())
        {
            await SignInAsync(await context.NewPageAsync());
        }

        var output = await server.WaitForOutputAsync(() => server.Count("signed in to the dashboard") > signedIn);
        Assert.Contains("Now listening on: " + server.BaseAddress.ToString().TrimEnd('/'), output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request finished", output, StringComparison.Ordinal);
        Assert.DoesNotContain("info: Microsoft.AspNetCore", output, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_reference_loads_everything_from_its_own_origin()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var requested = new List<string>();
        var outside = new List<string>();

        // Offline as far as the page can tell: anything not from Callscope itself fails, and is recorded.
        await page.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            lock (requested)
            {
                requested.Add(url);
                if (!url.StartsWith(origin + "/", StringComparison.Ordinal))
                {
                    outside.Add(url);
                }
            }

            if (url.StartsWith(origin + "/", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync("internetdisconnected");
            }
        });

        await page.GotoAsync("/scalar/");
        // The reference renders the whole document in the browser: on a busy machine that takes longer than the default wait.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Callscope API", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The document's own tags, so the OpenAPI document was fetched and rendered too.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ingest", Exact = true })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        lock (requested)
        {
            Assert.Contains(requested, url => url.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
            Assert.True(outside.Count == 0, "requested from other hosts: " + string.Join(", ", outside));
        }
    }

    private Task<IBrowserContext> NewContextAsync() => browser.Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = server.BaseAddress.ToString().TrimEnd('/'),
        ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
        Locale = "en-US",
        TimezoneId = "UTC",
        ColorScheme = ColorScheme.Light,
    });

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(PublishedServer.AdminEmail);
        await page.GetByLabel("Password").FillAsync(PublishedServer.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
    }

    [GeneratedRegex(@"/sessions/[^/?#]+$")]
    private static partial Regex SessionUrl();
}

/// <summary>
/// <c>dotnet publish</c> of the server into a temporary folder (once, from the build the tests were built with), and
/// the published <c>callscope.dll</c> running from a second, empty folder on a free loopback port.
/// </summary>
public sealed class PublishedServer : IAsyncLifetime
{
    public const string DeveloperKey = "published-developer-key-00000001";
    public const string AdminEmail = "admin@published.test";
    public const string AdminPassword = "published-horse-battery";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly string root = Path.Combine(Path.GetTempPath(), "callscope-tests", "published-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> output = [];
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> waiting = [];
    private Process? process;

    /// <summary>The published application's folder (as /opt/callscope).</summary>
    public string Application => Path.Combine(root, "app");

    /// <summary>Where the server is started from (as /var/lib/callscope).</summary>
    public string WorkingDirectory => Path.Combine(root, "service");

    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var project = Path.Combine(FindSourceRoot(), "src", "Callscope.Server", "Callscope.Server.csproj");
        Directory.CreateDirectory(WorkingDirectory);
        var publish = Start("dotnet", root, ["publish", project, "-c", Configuration, "--no-build", "-o", Application, "-nologo", "-v", "quiet"]);
        var published = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{await published}{await errors}");
        Assert.True(File.Exists(Path.Combine(Application, "wwwroot", "dashboard.css")), "the stylesheet should be published");

        BaseAddress = new Uri($"http://127.0.0.1:{Readiness.FreePort()}");
        process = Start("dotnet", WorkingDirectory, [Path.Combine(Application, "callscope.dll"), "--urls", BaseAddress.ToString().TrimEnd('/')]);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Readiness.WaitAsync(process, client, Patience, Output, TestContext.Current.CancellationToken);
    }

    public HttpClient Api() => new(new SocketsHttpHandler { UseCookies = false })
    {
        BaseAddress = BaseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", DeveloperKey) },
    };

    public string Output()
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }

    public int Count(string text)
    {
        lock (output)
        {
            return output.Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>The output once a condition on it holds: the server writes its log lines a moment after the fact.</summary>
    public async Task<string> WaitForOutputAsync(Func<bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (output)
        {
            if (condition())
            {
                return string.Join('\n', output);
            }

            waiting.Add((condition, done));
        }

        try
        {
            await done.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The expected output did not come:\n{Output()}");
        }

        return Output();
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
            foreach (var wait in waiting.Where(w => w.Condition()).ToArray())
            {
                waiting.Remove(wait);
                wait.Done.TrySetResult();
            }
        }
    }

    /// <summary>A process with none of the settings of this test run: the server sees only its defaults and the bootstrap.</summary>
    private static Process Start(string command, string folder, string[] args)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.ToArray())
        {
            if (name.StartsWith("Callscope__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                || name is "DOTNET_ENVIRONMENT" or "DOTNET_CONTENTROOT")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["Callscope__Bootstrap__DeveloperKey"] = DeveloperKey;
        start.Environment["Callscope__Bootstrap__AdminEmail"] = AdminEmail;
        start.Environment["Callscope__Bootstrap__AdminPassword"] = AdminPassword;
        return Process.Start(start)!;
    }

    private static string FindSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Callscope.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Callscope.slnx was not found above " + AppContext.BaseDirectory);
    }
}
