using Callscope.Core.Ingest;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The statistics and the usage worker read several statements in one snapshot. Such a read must not hold the writer
/// back: on SQLite a transaction that is not deferred takes the write lock at once, so ingest waited behind every
/// statistics answer and, behind a long worker look, gave up after its retries with "database is locked".
/// </summary>
public sealed class SnapshotReadTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_writer_commits_while_a_snapshot_read_is_open_and_the_read_keeps_seeing_its_moment()
    {
        await using var store = new StoreHarness(T);
        using var connection = store.Database.Open();
        using var read = store.Database.Dialect.BeginSnapshotRead(connection);
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions", transaction: read));

        var ana = new ParticipantRef("ana", "Ana", null, null);
        var result = await store.IngestAsync([new IncomingEvent("ana-join", "participant_joined", T, T, null, new RoomRef(null, "standup"), ana, null)]);

        Assert.Equal(1, result.Accepted);
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions", transaction: read));
        read.Commit();
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions"));
    }
}
