using System.Diagnostics;

namespace Callscope.Server.Tests.Infrastructure;

internal static class ProcessOutput
{
    /// <summary>Waits for a process started with its output redirected; answers its exit code and its output, errors after.</summary>
    public static async Task<(int Exit, string Output)> FinishAsync(this Process process, CancellationToken cancellationToken)
    {
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await errors);
    }
}
