using System.Diagnostics;
using System.Net;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Hosting;

/// <summary>
/// The README's first command, <c>dotnet run --project src/Callscope.Server</c>: the data folder is <c>./data</c> of
/// the folder the command was typed in, and git does not see it.
/// </summary>
public sealed class RunFolderTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string here = Path.Combine(Path.GetTempPath(), "callscope-tests", "run-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dotnet_run_keeps_its_data_in_the_data_folder_of_where_it_was_typed()
    {
        var project = Path.Combine(SourceTree.Root, "src", "Callscope.Server");
        Directory.CreateDirectory(here);
        var projectData = Path.Combine(project, "data", "callscope.db");
        var before = File.Exists(projectData) ? File.GetLastWriteTimeUtc(projectData) : (DateTime?)null;

        var (exit, output) = await SourceTree.RunAsync(here, "dotnet", ["run", "--project", project, "-c", Configuration, "--no-build", "--", "migrate"], Cancellation);

        Assert.True(exit == 0, output);
        Assert.Contains("Applied", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(here, "data", "callscope.db")), $"the database should be in {here}/data:\n{output}");
        Assert.Equal(before, File.Exists(projectData) ? File.GetLastWriteTimeUtc(projectData) : null);
    }

    [Fact]
    public async Task Dotnet_run_from_another_folder_serves_the_stylesheet_script_and_icon()
    {
        var project = Path.Combine(SourceTree.Root, "src", "Callscope.Server");
        Directory.CreateDirectory(here);
        var address = $"http://127.0.0.1:{Readiness.FreePort()}";
        using var server = SourceTree.Start(here, "dotnet", ["run", "--project", project, "-c", Configuration, "--no-build", "--", "--urls", address]);
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(5) };
            await Readiness.WaitAsync(server, client, TimeSpan.FromSeconds(120), () => "", Cancellation);
            foreach (var (path, type) in new[] { ("dashboard.css", "text/css"), ("dashboard.js", "text/javascript"), ("favicon.ico", "image/x-icon") })
            {
                using var response = await client.GetAsync("/" + path, Cancellation);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(project, "wwwroot", path), Cancellation), await response.Content.ReadAsByteArrayAsync(Cancellation));
            }

            Assert.True(File.Exists(Path.Combine(here, "data", "callscope.db")), $"the database should be in {here}/data");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Cancellation);
        }
    }

    [Theory]
    [InlineData("data/callscope.db")]
    [InlineData("data/callscope.db-wal")]
    [InlineData("data/keys/key-0.xml")]
    [InlineData("src/Callscope.Server/data/callscope.db")]
    [InlineData("bench/data/callscope.db-shm")]
    public async Task Git_ignores_a_data_folder_wherever_the_server_was_started(string path)
    {
        var (exit, output) = await SourceTree.RunAsync(SourceTree.Root, "git", ["check-ignore", "--no-index", "-v", path], Cancellation);

        Assert.True(exit == 0, $"git does not ignore {path}: {output}");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(here))
        {
            Directory.Delete(here, recursive: true);
        }
    }
}

/// <summary>The repository these tests were built from, and its commands.</summary>
internal static class SourceTree
{
    public static string Root { get; } = FindRoot();

    /// <summary>Runs a command in a folder, without the settings this test process was given, with <paramref name="environment"/> added.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(
        string folder, string command, string[] args, CancellationToken cancellationToken, params (string Name, string Value)[] environment)
    {
        using var process = Start(folder, command, args, environment);
        return await process.FinishAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a command in a folder, without the settings this test process was given, with <paramref name="environment"/>
    /// added; the caller reads its output.
    /// </summary>
    public static Process Start(string folder, string command, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.ToArray())
        {
            if (name.StartsWith("Callscope__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || name is "DOTNET_ENVIRONMENT" or "DOTNET_CONTENTROOT")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Callscope__Database__Provider"] = "sqlite";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static string FindRoot()
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
