using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Hosting;

/// <summary>
/// <c>scripts/release.sh linux-x64</c>: the published folder, copied anywhere, starts with no .NET on the machine as far
/// as the process can tell (no <c>dotnet</c> on PATH, no DOTNET_ROOT, nothing of this test's environment), from another
/// working directory, and serves its health check, the API and the dashboard with its stylesheet.
/// </summary>
public sealed class ReleaseBuildTests : IDisposable
{
    private const string DeveloperKey = "release-developer-key-000000000001";

    private readonly string here = Path.Combine(Path.GetTempPath(), "callscope-tests", "release-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_linux_x64_release_starts_from_any_folder_without_dotnet()
    {
        // Its own output folder: the repository's artifacts/release may hold a release someone made.
        var release = Path.Combine(here, "release");
        var (exit, output) = await SourceTree.RunAsync(
            SourceTree.Root, "bash", ["scripts/release.sh", "linux-x64"], Cancellation, ("CALLSCOPE_RELEASE_OUT", release));
        Assert.True(exit == 0, output);
        var built = Assert.Single(Directory.GetDirectories(release, "callscope-*-linux-x64"));
        var sums = await File.ReadAllTextAsync(Path.Combine(release, "SHA256SUMS"), Cancellation);
        await using (var archive = File.OpenRead(built + ".tar.gz"))
        {
            var sum = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(archive, Cancellation));
            Assert.Contains($"{sum}  {Path.GetFileName(built)}.tar.gz", sums, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(built, "callscope.dll")), "the release should be a single file, not a folder of assemblies");

        var installed = Path.Combine(here, "opt", "callscope");
        CopyFolder(built, installed);
        var workingDirectory = Path.Combine(here, "var", "lib", "callscope");
        Directory.CreateDirectory(workingDirectory);
        var address = $"http://127.0.0.1:{Readiness.FreePort()}";
        var start = new ProcessStartInfo(Path.Combine(installed, "callscope"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--urls", address },
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Path.Combine(here, "no-dotnet-here");
        start.Environment["HOME"] = workingDirectory;
        start.Environment["Callscope__Bootstrap__DeveloperKey"] = DeveloperKey;

        using var server = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        server.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? string.Empty);
        server.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? string.Empty);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(5) };
            await Readiness.WaitAsync(server, client, TimeSpan.FromSeconds(120), () => string.Join('\n', log), Cancellation);

            using var signIn = await client.GetAsync("/signin", Cancellation);
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            Assert.Contains("<form", await signIn.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
            using var stylesheet = await client.GetAsync("/dashboard.css", Cancellation);
            Assert.Equal(HttpStatusCode.OK, stylesheet.StatusCode);

            using var sessions = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sessions") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", DeveloperKey) } };
            using var answer = await client.SendAsync(sessions, Cancellation);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(0, (await answer.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("total_count").GetInt32());
            Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "callscope.db")), "the data folder is ./data of the working directory");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Cancellation);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var folder in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            // On Unix a copy keeps the file's mode, so the executable stays executable.
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(here))
        {
            Directory.Delete(here, recursive: true);
        }
    }
}
