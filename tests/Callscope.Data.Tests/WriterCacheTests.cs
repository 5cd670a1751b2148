using System.Diagnostics;
using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Callscope.Data.Writing;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Callscope.Data.Tests;

/// <summary>
/// On SQLite the writer keeps a page cache of its own, up to <see cref="WriterMemory.PageCacheMib"/>. Once it has been
/// idle for <see cref="SqliteUpkeep.CacheIdle"/> it gives the cache back, and its next transactions read and write as
/// before.
/// </summary>
public sealed class WriterCacheTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_idle_writer_gives_its_page_cache_back_and_then_writes_as_before()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", SqliteUpkeep.Default with { CacheIdle = TimeSpan.FromSeconds(3) });
        var first = Samples("a", 0, 2_000);
        foreach (var batch in first.Chunk(500))
        {
            Assert.Equal(500, (await store.IngestAsync(batch)).Accepted);
        }

        // Read at once after the last answer: the writer waits a second before it even indexes, then three more.
        var held = CacheUsed(store);
        Assert.True(held > 256 * 1024, $"the writer's cache held {held} bytes after 2,000 events");

        var given = await CacheWhenBelowAsync(store, held / 8);
        Assert.True(given < held / 8, $"the writer's cache still held {given} of {held} bytes 30 s after its last transaction");

        // The writer goes on: repeated ids are still known, new ones stored, and its cache fills again.
        var again = await store.IngestAsync([.. first.Take(100), .. Samples("b", 2_000, 400)]);
        Assert.Equal((400, 100), (again.Accepted, again.Duplicates));
        Assert.True(CacheUsed(store) > given, "the writer's cache did not fill again after its next transaction");
        await using var connection = store.Database.Open();
        Assert.Equal(2_400, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task A_busy_writer_gives_its_page_cache_back_when_the_server_asks()
    {
        // The writer is never idle long enough to give its cache back by itself here.
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", SqliteUpkeep.Default with { CacheIdle = Timeout.InfiniteTimeSpan });
        var first = Samples("a", 0, 2_000);
        foreach (var batch in first.Chunk(500))
        {
            Assert.Equal(500, (await store.IngestAsync(batch)).Accepted);
        }

        var held = CacheUsed(store);
        Assert.True(held > 256 * 1024, $"the writer's cache held {held} bytes after 2,000 events");

        // The server asks (it fell quiet); the writer answers after its next transaction.
        store.Database.ReleaseMemory();
        Assert.Equal(1, (await store.IngestAsync(Samples("b", 2_000, 1))).Accepted);
        var given = await CacheWhenBelowAsync(store, held / 8);
        Assert.True(given < held / 8, $"the writer's cache still held {given} of {held} bytes after the server asked");

        // Asked once, answered once: the transactions after it fill the cache again.
        foreach (var batch in Samples("c", 2_001, 1_000).Chunk(500))
        {
            Assert.Equal(500, (await store.IngestAsync(batch)).Accepted);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.True(CacheUsed(store) > held / 4, "the writer gave its cache back again without being asked");
    }

    /// <summary>The bytes the writer's connection holds in page caches (<c>SQLITE_DBSTATUS_CACHE_USED</c>).</summary>
    private static long CacheUsed(StoreHarness store)
    {
        var connection = (SqliteConnection)((IWriterLoop)store.Pipeline).Connection!;
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_db_status(connection.Handle, raw.SQLITE_DBSTATUS_CACHE_USED, out var current, out _, 0));
        return current;
    }

    private static async Task<long> CacheWhenBelowAsync(StoreHarness store, long bytes)
    {
        var waited = Stopwatch.StartNew();
        var used = CacheUsed(store);
        while (used >= bytes && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            used = CacheUsed(store);
        }

        return used;
    }

    private static List<IncomingEvent> Samples(string prefix, int second, int count) => TestEvents.QualitySamples(prefix, T, second, count, rooms: 20);
}
