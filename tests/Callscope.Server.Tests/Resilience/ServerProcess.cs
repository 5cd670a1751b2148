using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Tests.Shared;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// The data a server process works on: a temporary folder and, when the suite runs on PostgreSQL, a database of its
/// own. It outlives the processes started on it, so that a restart finds what the killed process left.
/// </summary>
public sealed class ServerData : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "callscope-tests", "process-" + Guid.NewGuid().ToString("N"));

    public string? PostgresConnectionString { get; } = TestDatabase.Postgres ? TestDatabase.NewPostgresDatabase() : null;

    public void Dispose()
    {
        if (PostgresConnectionString is { } postgres)
        {
            TestDatabase.Drop(postgres);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>
/// The real server (<c>callscope.dll</c>, which the project reference copies next to the tests in every configuration)
/// as a child process on a free loopback port.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string DeveloperKey = "process-developer-key-0000000001";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly Queue<string> output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <param name="environment">More environment settings for the process (<c>Callscope__...</c>), set after the defaults.</param>
    public static async Task<ServerProcess> StartAsync(ServerData data, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "callscope.dll");
        Assert.True(File.Exists(server), $"The server assembly should be next to the tests: {server}");
        var baseAddress = new Uri($"http://127.0.0.1:{Readiness.FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            ArgumentList = { server, "--urls", baseAddress.ToString().TrimEnd('/') },
            Environment =
            {
                ["Callscope__DataDirectory"] = data.Directory,
                ["Callscope__Database__Provider"] = TestDatabase.Provider,
                ["Callscope__Database__ConnectionString"] = data.PostgresConnectionString ?? string.Empty,
                ["Callscope__Bootstrap__DeveloperKey"] = DeveloperKey,
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var started = new ServerProcess(Process.Start(start)!, baseAddress);
        try
        {
            await started.WaitUntilReadyAsync(cancellationToken);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the API with the team's developer key.</summary>
    public HttpClient Api() => new(new SocketsHttpHandler { UseCookies = false })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", DeveloperKey) },
    };

    /// <summary>SIGKILL: the process gets no chance to flush or finish anything.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public string RecentOutput()
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Readiness.WaitAsync(process, client, StartTimeout, RecentOutput, cancellationToken);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > 50)
            {
                output.Dequeue();
            }
        }
    }

}
