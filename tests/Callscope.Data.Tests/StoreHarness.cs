using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Callscope.Data.Writing;
using Callscope.Data.Sessions;
using Callscope.Data.Teams;
using Microsoft.Data.Sqlite;
using Callscope.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Callscope.Data.Tests;

/// <summary>A real SQLite store in a temp folder with its writer running, for store-level tests.</summary>
public sealed class StoreHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task writer;

    /// <param name="provider">The store, when a test is about one of them; otherwise the one the suite runs on.</param>
    /// <param name="upkeep">How the writer keeps SQLite's log in check, when a test is about that.</param>
    /// <param name="memory">What the writer may keep in memory, when a test is about that.</param>
    public StoreHarness(DateTimeOffset now, string? provider = null, SqliteUpkeep? upkeep = null, WriterMemory? memory = null)
    {
        provider ??= TestDatabase.Provider;
        Clock = new FakeTimeProvider(now);
        Folder = Path.Combine(Path.GetTempPath(), "callscope-data-tests", Guid.NewGuid().ToString("N"));
        PostgresConnectionString = provider == "postgres" ? TestDatabase.NewPostgresDatabase() : null;
        Database = CallscopeDatabase.Create(provider, PostgresConnectionString, Folder);
        Database.Migrate(now);
        Team = new TeamStore(Database, Clock).Create("Test team", DeveloperKeys.Generate()).Id;
        Pipeline = new IngestPipeline(Database, Clock, upkeep, memory: memory);
        Queries = new SessionQueries(Database, Clock);
        writer = Pipeline.RunAsync(stop.Token);
    }

    public FakeTimeProvider Clock { get; }

    public string? PostgresConnectionString { get; }

    public string Folder { get; }

    public CallscopeDatabase Database { get; }

    public TeamId Team { get; }

    public IngestPipeline Pipeline { get; }

    public SessionQueries Queries { get; }

    public Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events) => Pipeline.SendAsync(new IngestCommand(Team, events));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await writer;
        stop.Dispose();
        SqliteConnection.ClearAllPools();
        if (PostgresConnectionString is { } postgres)
        {
            TestDatabase.Drop(postgres);
        }
        else
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
