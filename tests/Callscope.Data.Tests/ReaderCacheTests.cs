using Callscope.Data.Dialects;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Tests;

/// <summary>
/// Each SQLite connection that reads keeps a page cache of <see cref="SqliteDialect.ReaderPageCacheMib"/> (SQLite's own
/// default is 2 MiB, too small for a search over a large store); the writer keeps its own size.
/// </summary>
public sealed class ReaderCacheTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "callscope-reader-cache-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_reader_keeps_the_configured_page_cache_and_the_writer_its_own()
    {
        var database = CallscopeDatabase.Create("sqlite", null, folder, readerPageCacheMib: 24);
        database.Migrate();

        using (var reader = database.Open())
        {
            Assert.Equal(-24 * 1024, reader.ExecuteScalar<long>("PRAGMA cache_size"));
        }

        // A pooled connection handed out again keeps the size.
        using (var again = database.Open())
        {
            Assert.Equal(-24 * 1024, again.ExecuteScalar<long>("PRAGMA cache_size"));
        }

        using var writer = database.Dialect.OpenWriter(Writing.WriterMemory.Default with { PageCacheMib = 40 });
        Assert.Equal(-40 * 1024, writer.ExecuteScalar<long>("PRAGMA cache_size"));
    }

    [Fact]
    public void Readers_keep_4_MiB_by_default()
    {
        var database = CallscopeDatabase.Create("sqlite", null, folder);
        database.Migrate();

        using var reader = database.Open();
        Assert.Equal(-4 * 1024, reader.ExecuteScalar<long>("PRAGMA cache_size"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
