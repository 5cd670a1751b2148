using System.Net;
using Callscope.Server.Hosting;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Tests.Hosting;

/// <summary>When a quiet server gives memory back: after a quiet spell, once per growth, never while it is busy.</summary>
public sealed class MemoryTrimTests
{
    private const long Mib = 1024 * 1024;

    private static readonly MemoryOptions Settings = new() { QuietFor = TimeSpan.FromSeconds(2), QuietMibPerSecond = 32, TrimAboveMib = 64 };

    /// <summary>Readings a second apart from <paramref name="start"/>, each allocating <paramref name="mibPerSecond"/>, at a steady committed size.</summary>
    private static List<bool> Run(MemoryTrim trim, ref long allocated, ref int second, int readings, long mibPerSecond, long committedMib)
    {
        var answers = new List<bool>();
        for (var i = 0; i < readings; i++)
        {
            allocated += mibPerSecond * Mib;
            answers.Add(trim.Observe(allocated, committedMib * Mib, TimeSpan.FromSeconds(second++)));
        }

        return answers;
    }

    [Fact]
    public void A_server_that_falls_quiet_after_a_burst_gives_memory_back_once_after_the_quiet_spell()
    {
        var trim = new MemoryTrim(Settings);
        long allocated = 0;
        var second = 0;
        Assert.All(Run(trim, ref allocated, ref second, 10, 500, 600), Assert.False);

        // Quiet from the first quiet reading's start: the spell has lasted one second, then two.
        var quiet = Run(trim, ref allocated, ref second, 3, 1, 600);
        Assert.Equal([false, true, true], quiet);

        trim.Trimmed(180 * Mib, TimeSpan.FromSeconds(second), TimeSpan.FromMilliseconds(100));
        Assert.Equal(180 * Mib, trim.Baseline);
        Assert.All(Run(trim, ref allocated, ref second, 30, 1, 180), Assert.False);
    }

    [Fact]
    public void A_busy_server_never_gives_memory_back_however_much_it_holds()
    {
        var trim = new MemoryTrim(Settings);
        long allocated = 0;
        var second = 0;
        Assert.All(Run(trim, ref allocated, ref second, 60, 40, 2_000), Assert.False);
        Assert.Equal(0, trim.Baseline);

        // One busy second in a quiet spell starts the spell again.
        Assert.Equal([false], Run(trim, ref allocated, ref second, 1, 1, 2_000));
        Assert.Equal([false], Run(trim, ref allocated, ref second, 1, 100, 2_000));
        Assert.Equal([false, true], Run(trim, ref allocated, ref second, 2, 1, 2_000));
    }

    [Fact]
    public void Returns_pause_the_server_for_at_most_a_hundredth_of_the_time()
    {
        var trim = new MemoryTrim(Settings);
        long allocated = 0;
        var second = 0;
        Assert.All(Run(trim, ref allocated, ref second, 5, 500, 600), Assert.False);
        Assert.Equal([false, true], Run(trim, ref allocated, ref second, 2, 1, 600));

        // A return that paused the server for half a second: the next waits 50 s, however much memory grows and however
        // quiet the server is meanwhile.
        trim.Trimmed(100 * Mib, TimeSpan.FromSeconds(second - 1), TimeSpan.FromMilliseconds(500));
        var waited = Run(trim, ref allocated, ref second, 60, 1, 900);
        Assert.Equal(49, waited.TakeWhile(answer => !answer).Count());
        Assert.Equal(0.01, MemoryTrim.PauseShare);
    }

    [Fact]
    public void Growth_under_the_threshold_is_not_worth_a_pause_and_the_baseline_follows_the_lowest_size_seen()
    {
        var trim = new MemoryTrim(Settings);
        trim.Trimmed(200 * Mib, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        long allocated = 0;
        var second = 0;
        Assert.All(Run(trim, ref allocated, ref second, 10, 1, 200), Assert.False);
        Assert.All(Run(trim, ref allocated, ref second, 10, 1, 263), Assert.False);

        // The collector gave memory back by itself: growth is counted from the lower size.
        Assert.All(Run(trim, ref allocated, ref second, 1, 1, 150), Assert.False);
        Assert.Equal(150 * Mib, trim.Baseline);
        Assert.Equal([true], Run(trim, ref allocated, ref second, 1, 1, 215));
    }

    [Fact]
    public async Task A_setting_out_of_range_stops_the_server_at_start_with_the_setting_named()
    {
        var folder = Path.Combine(Path.GetTempPath(), "callscope-tests", Guid.NewGuid().ToString("N"));
        using var process = CallscopeCommand.Start(["--urls", "http://127.0.0.1:0"], folder, ("Callscope__Memory__QuietFor", "00:00:00"));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            var (exit, output) = await process.FinishAsync(limit.Token);
            Assert.NotEqual(0, exit);
            Assert.Contains("QuietFor", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_running_server_that_falls_quiet_compacts_its_heap_and_says_so_and_one_told_not_to_does_not()
    {
        var logs = new CapturedLogs();
        await using var app = new CallscopeApp();
        // Every second counts as quiet, and a started server has committed more than 1 MiB: a return comes once the
        // spell has lasted.
        app.Settings["Callscope:Memory:QuietFor"] = "00:00:01";
        app.Settings["Callscope:Memory:QuietMibPerSecond"] = "4096";
        app.Settings["Callscope:Memory:TrimAboveMib"] = "1";
        await using var server = app.WithWebHostBuilder(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var api = server.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", CallscopeApp.DeveloperKey);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/sessions", Cancellation)).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.Entries.Any(e => e.Message.Contains("fell quiet", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancellation);
        }

        var line = Assert.Single(logs.Entries.Where(e => e.Message.Contains("fell quiet", StringComparison.Ordinal)).Take(1));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Matches(@"\(\d+ MiB committed, \d+ MiB after, \d+ ms; allocating \d+\.\d MiB/s\)", line.Message);

        var offLogs = new CapturedLogs();
        await using var off = new CallscopeApp();
        off.Settings["Callscope:Memory:TrimWhenQuiet"] = "false";
        off.Settings["Callscope:Memory:QuietFor"] = "00:00:01";
        off.Settings["Callscope:Memory:QuietMibPerSecond"] = "4096";
        off.Settings["Callscope:Memory:TrimAboveMib"] = "1";
        await using var offServer = off.WithWebHostBuilder(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(offLogs)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await offServer.CreateClient().GetAsync("/api/v1/sessions", Cancellation)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(4), Cancellation);
        Assert.DoesNotContain(offLogs.Entries, e => e.Message.Contains("fell quiet", StringComparison.Ordinal));
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;
}
