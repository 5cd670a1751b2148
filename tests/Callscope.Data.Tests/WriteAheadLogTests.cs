using System.Buffers.Binary;
using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Callscope.Data.Writing;

namespace Callscope.Data.Tests;

/// <summary>
/// SQLite's write-ahead log must stay bounded however long the writer keeps writing. A passive checkpoint alone
/// never lets the log start over while commits keep coming, so without the restart the file grows with every
/// transaction (it once reached 19 GB during a long fill).
/// </summary>
public sealed class WriteAheadLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Small bounds, so that a few seconds of ingest go through many restarts.</summary>
    private static readonly SqliteUpkeep Bounds = SqliteUpkeep.Default with { CheckpointInterval = TimeSpan.FromMilliseconds(10), RestartAfterFrames = 256 };

    [Fact]
    public async Task The_log_starts_over_under_sustained_ingest_instead_of_growing()
    {
        await using var store = new StoreHarness(Now, "sqlite", Bounds);
        var log = Path.Combine(store.Folder, "callscope.db-wal");
        uint? firstSequence = null;
        long largest = 0;
        for (var batch = 0; batch < 150; batch++)
        {
            var result = await store.IngestAsync(Batch(batch));
            Assert.Equal(400, result.Accepted);
            firstSequence ??= CheckpointSequence(log);
            largest = Math.Max(largest, new FileInfo(log).Length);
        }

        // 60,000 events over 200 rooms dirty far more than 16 MiB of pages in 150 transactions; a log that starts
        // over stays near its bound plus one transaction.
        Assert.True(largest < 16L * 1024 * 1024, $"the log grew to {largest:N0} bytes");
        Assert.True(CheckpointSequence(log) - firstSequence >= 3, "the log should have started over several times");
    }

    [Fact]
    public async Task A_long_read_such_as_a_backup_does_not_hold_the_writer_in_its_restart()
    {
        await using var store = new StoreHarness(Now, "sqlite", Bounds);
        Assert.Equal(400, (await store.IngestAsync(Batch(0))).Accepted);

        // A snapshot kept open for the whole ingest below, as callscope backup keeps one while it copies.
        await using var reader = (Microsoft.Data.Sqlite.SqliteConnection)store.Database.Open();
        await using var snapshot = reader.BeginTransaction(deferred: true);
        await using (var read = reader.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM events";
            Assert.Equal(400L, read.ExecuteScalar());
        }

        var slowest = TimeSpan.Zero;
        for (var batch = 1; batch < 40; batch++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(400, (await store.IngestAsync(Batch(batch))).Accepted);
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, clock.Elapsed.Ticks));
        }

        // The log passes its bound many times over while the snapshot holds it; each restart the writer tries
        // waits a moment for the reader, not SQLite's busy timeout of 10 s.
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"the slowest batch took {slowest.TotalMilliseconds:0} ms");
    }

    private static List<IncomingEvent> Batch(int batch) => [.. Enumerable.Range(0, 400).Select(i => new IncomingEvent(
        $"b{batch}-e{i}", "quality_sample", Now.AddSeconds(batch), Now.AddSeconds(batch), null,
        new RoomRef(null, $"room-{i % 200}"), new ParticipantRef($"user-{i % 200}", null, null, null),
        """{"rtt_ms":42,"jitter_ms":3,"packet_loss":0.1}"""))];

    /// <summary>The log header's checkpoint sequence number: SQLite adds one each time the log starts over.</summary>
    private static uint CheckpointSequence(string log)
    {
        using var file = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }
}
