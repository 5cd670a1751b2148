using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Callscope.Server.Tests.Infrastructure;

/// <summary>What the tests that start a real server process share: a free port to give it, and waiting until it is ready.</summary>
internal static class Readiness
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls <c>/health/ready</c> with a bounded wait (the only waiting these tests do); fails with the server's recent
    /// output when it exits or is not ready within <paramref name="limit"/>.
    /// </summary>
    public static async Task WaitAsync(Process server, HttpClient client, TimeSpan limit, Func<string> output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            Assert.False(server.HasExited, $"The server exited while starting:\n{output()}");
            try
            {
                using var response = await client.GetAsync("/health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe outlasted the client's timeout on a loaded machine (a restart after kill -9 recovers the log
                // first): ask again within the limit.
            }

            await Task.Delay(100, cancellationToken);
        }

        Assert.Fail($"The server was not ready within {limit.TotalSeconds} s:\n{output()}");
    }
}
