using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Core;
using Callscope.Data.Teams;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Callscope.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Callscope.Server.Tests.Infrastructure;

/// <summary>
/// The real server with a fresh SQLite database in its own folder and a clock the test moves by hand.
/// Call <see cref="UseKestrel"/>-style hosting through <see cref="StartOnKestrel"/> for browser tests.
/// </summary>
public sealed class CallscopeApp(string? dataDirectory = null, bool keepData = false, string? postgres = null, string? provider = null)
    : WebApplicationFactory<Program>
{
    public const string DeveloperKey = "test-developer-key-000000000001";
    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "correct-horse-battery";

    public static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    public string DataDirectory { get; } = dataDirectory ?? Path.Combine(Path.GetTempPath(), "callscope-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The PostgreSQL database of this app when the suite runs on PostgreSQL (see TestDatabase).</summary>
    public string? PostgresConnectionString { get; } = postgres ?? ((provider ?? TestDatabase.Provider) == "postgres" ? TestDatabase.NewPostgresDatabase() : null);

    /// <summary>The store this app runs on: the suite's, unless the test chose one.</summary>
    public string Provider { get; } = provider ?? TestDatabase.Provider;

    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public TeamId TeamId => Services.GetRequiredService<TeamStore>().FindByKey(DeveloperKey)!.Id;

    /// <summary>Serves on a real Kestrel port (for browsers and raw HTTP); returns the base address.</summary>
    public Uri StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        return ClientOptions.BaseAddress;
    }

    /// <summary>A client that authenticates with the first team's developer key.</summary>
    public HttpClient Api(string key = DeveloperKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates another team and returns its developer key.</summary>
    public (TeamId Id, string Key) CreateTeam(string name)
    {
        var key = DeveloperKeys.Generate();
        var team = Services.GetRequiredService<TeamStore>().Create(name, key);
        return (team.Id, key);
    }

    /// <summary>Moves the clock and lets the sweeper act on it.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await SettleAsync();
    }

    /// <summary>Waits until the writer has handled everything queued so far.</summary>
    public async Task SettleAsync()
    {
        var pipeline = Services.GetRequiredService<Data.Writing.IngestPipeline>();
        for (var i = 0; i < 3; i++)
        {
            await pipeline.SendAsync(new Data.Writing.ExpireCommand());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Callscope:DataDirectory", DataDirectory);
        builder.UseSetting("Callscope:Database:Provider", Provider);
        builder.UseSetting("Callscope:Database:ConnectionString", PostgresConnectionString);
        builder.UseSetting("Callscope:Bootstrap:DeveloperKey", DeveloperKey);
        builder.UseSetting("Callscope:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Callscope:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Callscope:Bootstrap:TeamName", "Test team");
        // The servers of a test run share one process, and so one heap: a return of memory by one pauses them all, at
        // the pace of each (docs/configuration.md, "Memory"). A production process runs one server. Tests of the
        // returns turn them on.
        builder.UseSetting("Callscope:Memory:TrimWhenQuiet", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (keepData)
        {
            return;
        }

        if (PostgresConnectionString is { } pg)
        {
            TestDatabase.Drop(pg);
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Builds native events for tests.</summary>
public static class Events
{
    private static int counter;

    public static object Joined(string room, string who, DateTimeOffset at, string? connection = null, string? id = null, object? data = null) =>
        Make("participant_joined", room, who, at, connection, id, data);

    public static object Left(string room, string who, DateTimeOffset at, string? connection = null, string? id = null, object? data = null) =>
        Make("participant_left", room, who, at, connection, id, data);

    public static object Of(string type, string room, string who, DateTimeOffset at, object? data = null, string? connection = null, string? id = null) =>
        Make(type, room, who, at, connection, id, data);

    public static object Batch(params object[] events) => new { events };

    public static async Task<JsonElement> PostAsync(HttpClient client, params object[] events)
    {
        var response = await client.PostAsJsonAsync("/api/v1/ingest/events", Batch(events));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private static object Make(string type, string room, string who, DateTimeOffset at, string? connection, string? id, object? data) => new
    {
        id = id ?? $"evt-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}",
        type,
        timestamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        room = new { friendly_url = room },
        participant = new { external_id = who, name = who.ToUpperInvariant(), connection_id = connection },
        data,
    };
}
