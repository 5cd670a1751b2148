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

    /// <summary>A trim fed one reading a second, from second 0 on.</summary>
    private sealed class Readings
    {
        private long allocated;

        public MemoryTrim Trim { get; } = new(Settings);

        /// <summary>The second the next reading is taken at.</summary>
        public int Second { get; private set; }

        /// <summary>The trim's answers to <paramref name="count"/> readings, each after a second of allocating <paramref name="mibPerSecond"/>.</summary>
        public List<bool> Take(int count, long mibPerSecond, long committedMib)
        {
            var answers = new List<bool>();
            for (var i = 0; i < count; i++)
            {
                allocated += mibPerSecond * Mib;
                answers.Add(Trim.Observe(allocated, committedMib * Mib, TimeSpan.FromSeconds(Second++)));
            }

            return answers;
        }
    }

    [Fact]
    public void A_server_that_falls_quiet_after_a_burst_gives_memory_back_once_after_the_quiet_spell()
    {
        var readings = new Readings();
        var trim = readings.Trim;
        Assert.All(readings.Take(10, 500, 600), Assert.False);

        // Quiet from the first quiet reading's start: the spell has lasted one second, then two.
        var quiet = readings.Take(3, 1, 600);
        Assert.Equal([false, true, true], quiet);

        trim.Trimmed(180 * Mib, TimeSpan.FromSeconds(readings.Second), TimeSpan.FromMilliseconds(100));
        Assert.Equal(180 * Mib, trim.Baseline);
        Assert.All(readings.Take(30, 1, 180), Assert.False);
    }

    [Fact]
    public void A_busy_server_never_gives_memory_back_however_much_it_holds()
    {
        var readings = new Readings();
        var trim = readings.Trim;
        Assert.All(readings.Take(60, 40, 2_000), Assert.False);
        Assert.Equal(0, trim.Baseline);

        // One busy second in a quiet spell starts the spell again.
        Assert.Equal([false], readings.Take(1, 1, 2_000));
        Assert.Equal([false], readings.Take(1, 100, 2_000));
        Assert.Equal([false, true], readings.Take(2, 1, 2_000));
    }

    [Fact]
    public void Returns_pause_the_server_for_at_most_a_hundredth_of_the_time()
    {
        var readings = new Readings();
        var trim = readings.Trim;
        Assert.All(readings.Take(5, 500, 600), Assert.False);
        Assert.Equal([false, true], readings.Take(2, 1, 600));

        // A return that paused the server for half a second: the next waits 50 s, however much memory grows and however
        // quiet the server is meanwhile.
        trim.Trimmed(100 * Mib, TimeSpan.FromSeconds(readings.Second - 1), TimeSpan.FromMilliseconds(500));
        var waited = readings.Take(60, 1, 900);
        Assert.Equal(49, waited.TakeWhile(answer => !answer).Count());
        Assert.Equal(0.01, MemoryTrim.PauseShare);
    }

    [Fact]
    public void Growth_under_the_threshold_is_not_worth_a_pause_and_the_baseline_follows_the_lowest_size_seen()
    {
        var readings = new Readings();
        var trim = readings.Trim;
        trim.Trimmed(200 * Mib, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        Assert.All(readings.Take(10, 1, 200), Assert.False);
        Assert.All(readings.Take(10, 1, 263), Assert.False);

        // The collector gave memory back by itself: growth is counted from the lower size.
        Assert.All(readings.Take(1, 1, 150), Assert.False);
        Assert.Equal(150 * Mib, trim.Baseline);
        Assert.Equal([true], readings.Take(1, 1, 215));
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
        await using var app = AlwaysQuiet(new CallscopeApp());
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
        await using var off = AlwaysQuiet(new CallscopeApp());
        off.Settings["Callscope:Memory:TrimWhenQuiet"] = "false";
        await using var offServer = off.WithWebHostBuilder(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(offLogs)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await offServer.CreateClient().GetAsync("/api/v1/sessions", Cancellation)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(4), Cancellation);
        Assert.DoesNotContain(offLogs.Entries, e => e.Message.Contains("fell quiet", StringComparison.Ordinal));
    }

    /// <summary>
    /// Settings under which every second counts as quiet and a started server, which has committed more than 1 MiB, is
    /// worth a return: one comes once the spell has lasted a second.
    /// </summary>
    private static CallscopeApp AlwaysQuiet(CallscopeApp app)
    {
        app.Settings["Callscope:Memory:TrimWhenQuiet"] = "true";
        app.Settings["Callscope:Memory:QuietFor"] = "00:00:01";
        app.Settings["Callscope:Memory:QuietMibPerSecond"] = "4096";
        app.Settings["Callscope:Memory:TrimAboveMib"] = "1";
        return app;
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;
}
