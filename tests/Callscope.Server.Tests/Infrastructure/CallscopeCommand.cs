using System.Diagnostics;

namespace Callscope.Server.Tests.Infrastructure;

/// <summary>The real executable beside the tests, run as an operator runs it: on a data folder, on SQLite unless told otherwise.</summary>
internal static class CallscopeCommand
{
    /// <summary>Runs a command to its end; <paramref name="settings"/> are set after the defaults, so they may replace them.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string[] args, string dataDirectory, params (string Name, string Value)[] settings)
    {
        using var process = Start(args, dataDirectory, settings);
        return await process.FinishAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Starts the executable with its output redirected; the caller reads it and waits.</summary>
    public static Process Start(string[] args, string dataDirectory, params (string Name, string Value)[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "callscope.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Callscope__DataDirectory"] = dataDirectory;
        start.Environment["Callscope__Database__Provider"] = "sqlite";
        start.Environment["Callscope__Database__ConnectionString"] = string.Empty;
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }
}
