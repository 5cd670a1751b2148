using System.Diagnostics;
using System.Net.Sockets;

namespace Callscope.Bench.Hosting;

/// <summary>
/// A server the benchmark runs as a child process on a free loopback port: the real <c>callscope</c> server, or the
/// bench's own bare Kestrel endpoint for the baselines. Its output is drained (a full pipe would stall it), the last
/// lines are kept for the error message if it fails to start, and Callscope's whole output goes to <c>server.log</c> in
/// its data folder, where a failure in the middle of a run can be read.
/// </summary>
public sealed class ChildServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly Queue<string> lastLines = new();
    private readonly StreamWriter? log;

    private ChildServer(Process process, Uri baseAddress, string? logPath)
    {
        this.process = process;
        BaseAddress = baseAddress;
        log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };

        // A bench stopped with Ctrl+C or SIGTERM takes its servers with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillIfRunning();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public int ProcessId => process.Id;

    /// <summary>The path of the server next to the bench (the project reference copies it there).</summary>
    public static string CallscopeAssembly => Path.Combine(AppContext.BaseDirectory, "callscope.dll");

    /// <param name="settings">More settings, as environment variables (e.g. <c>Callscope__Diagnosis__Enabled</c>).</param>
    public static Task<ChildServer> StartCallscopeAsync(BenchStore store, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(store.ServerEnvironment)
        {
            ["Callscope__Bootstrap__DeveloperKey"] = BenchTeam.DeveloperKey,
            ["Callscope__Bootstrap__AdminPassword"] = BenchTeam.AdminPassword,
        };
        foreach (var (name, value) in ServerOnlyEnvironment().Concat(settings ?? new Dictionary<string, string>()))
        {
            environment[name] = value;
        }

        Directory.CreateDirectory(store.DataDirectory);
        return StartAsync([CallscopeAssembly], environment, "/health/ready", cancellationToken, Path.Combine(store.DataDirectory, "server.log"));
    }

    /// <summary>Prefix of the bench's environment variables meant for the Callscope server alone.</summary>
    private const string ServerOnlyPrefix = "CALLSCOPE_SERVER_";

    /// <summary>
    /// The bench's variables named <c>CALLSCOPE_SERVER_X</c>, as <c>X</c>: a runtime setting such as
    /// <c>CALLSCOPE_SERVER_DOTNET_gcServer=0</c> reaches the server without changing the load generator or the baselines.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> ServerOnlyEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(v => (Name: (string)v.Key, Value: (string?)v.Value ?? ""))
            .Where(v => v.Name.StartsWith(ServerOnlyPrefix, StringComparison.Ordinal) && v.Name.Length > ServerOnlyPrefix.Length)
            .Select(v => KeyValuePair.Create(v.Name[ServerOnlyPrefix.Length..], v.Value));

    /// <summary>The bench itself in its hidden <c>bare-server</c> mode: Kestrel with two trivial endpoints.</summary>
    public static Task<ChildServer> StartBareAsync(CancellationToken cancellationToken) =>
        StartAsync([typeof(ChildServer).Assembly.Location, BareServer.CommandName], new Dictionary<string, string>(), BareServer.ReadyPath, cancellationToken);

    /// <summary>Runs the server's <c>migrate</c> command, which creates the schema and exits.</summary>
    public static async Task MigrateAsync(BenchStore store, CancellationToken cancellationToken)
    {
        var start = Prepare([CallscopeAssembly, "migrate"], store.ServerEnvironment);
        using var migrate = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var output = migrate.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = migrate.StandardError.ReadToEndAsync(cancellationToken);
        await migrate.WaitForExitAsync(cancellationToken);
        if (migrate.ExitCode != 0)
        {
            throw new InvalidOperationException($"callscope migrate failed: {await output}{await errors}");
        }
    }

    private bool disposed;

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM), and CPU time used so far.</summary>
    public ProcessStats Stats() => ProcessStats.Read(process.Id);

    public async ValueTask DisposeAsync()
    {
        // A scenario may stop a server before its scope ends, to measure the next one alone.
        if (disposed)
        {
            return;
        }

        disposed = true;
        KillIfRunning();
        await process.WaitForExitAsync();
        process.Dispose();
        lock (lastLines)
        {
            log?.Dispose();
        }
    }

    private void KillIfRunning()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone (or disposed).
        }
    }

    private static async Task<ChildServer> StartAsync(
        string[] arguments, IReadOnlyDictionary<string, string> environment, string readyPath, CancellationToken cancellationToken, string? logPath = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = Prepare([.. arguments, "--urls", baseAddress.ToString().TrimEnd('/')], environment);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var server = new ChildServer(process, baseAddress, logPath);
        try
        {
            await server.WaitUntilReadyAsync(readyPath, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static ProcessStartInfo Prepare(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private async Task WaitUntilReadyAsync(string readyPath, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode} while starting:\n{Output()}");
            }

            try
            {
                using var response = await client.GetAsync(readyPath, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server did not become ready within {StartTimeout.TotalSeconds} s:\n{Output()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lastLines)
        {
            if (!disposed)
            {
                log?.WriteLine(line);
            }

            lastLines.Enqueue(line);
            if (lastLines.Count > 40)
            {
                lastLines.Dequeue();
            }
        }
    }

    private string Output()
    {
        lock (lastLines)
        {
            return string.Join('\n', lastLines);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
