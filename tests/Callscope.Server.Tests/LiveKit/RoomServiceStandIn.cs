using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>
/// tests/livekit-webhooks/roomservice.mjs on a free loopback port: LiveKit's RoomService as far as DeleteRoom goes,
/// validating every token with livekit-server-sdk's TokenVerifier at the test's clock.
/// </summary>
public sealed class RoomServiceStandIn : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly StringBuilder errors = new();

    private RoomServiceStandIn(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
    }

    public Uri Url { get; private set; } = null!;

    public static async Task<RoomServiceStandIn> StartAsync(WebhookScenario keys, DateTimeOffset now, int failFirst = 0, int failStatus = 503)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeTools.WebhooksFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["roomservice.mjs", "--api-key", keys.ApiKey, "--api-secret", keys.ApiSecret,
                     "--now", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                     "--fail-first", failFirst.ToString(CultureInfo.InvariantCulture), "--fail-status", failStatus.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        var standIn = new RoomServiceStandIn(Process.Start(start)!);
        var ready = await standIn.NextLineAsync();
        standIn.Url = new Uri($"http://127.0.0.1:{ready.GetProperty("listening").GetInt32()}");
        return standIn;
    }

    /// <summary>The next request the stand-in answered: room, status, whether the token verified, and its grants.</summary>
    public Task<JsonElement> NextCallAsync() => NextLineAsync();

    public async ValueTask DisposeAsync()
    {
        // Closing stdin tells the stand-in to exit; a stand-in that does not is stopped.
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            process.Kill();
        }

        process.Dispose();
    }

    private async Task<JsonElement> NextLineAsync()
    {
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        if (line is null)
        {
            await process.WaitForExitAsync().WaitAsync(Patience);
            string stderr;
            lock (errors)
            {
                stderr = errors.ToString();
            }

            Assert.Fail($"roomservice.mjs exited ({process.ExitCode}); is 'npm ci' done in tests/livekit-webhooks? {stderr}");
        }

        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
