using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// On SQLite an event id is checked against two layers: the ids stored up to a mark, by hash in <c>event_id_hashes</c>, and the newer
/// ones, held in the writer's memory until it moves them there. A repeated id must be a duplicate whichever layer holds
/// it, after the writer reopens, and never because of an insert that was rolled back or an event that was deleted.
/// </summary>
public sealed class EventIdIndexTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The writer never moves ids or copies rooms by itself here: the test says when.</summary>
    private static readonly SqliteUpkeep ByHand = SqliteUpkeep.Default with { RoomIndexInterval = Timeout.InfiniteTimeSpan, IdIndexAfter = long.MaxValue };

    [Fact]
    public async Task A_repeated_id_is_a_duplicate_in_either_layer_within_a_batch_and_after_the_writer_reopens()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        var first = Samples("a", 0, 20);
        var second = Samples("b", 20, 20);

        // Within one batch the first of two events with one id is stored.
        var result = await store.IngestAsync([.. first, first[3] with { Type = "audio_enabled" }]);
        Assert.Equal((20, 1), (result.Accepted, result.Duplicates));
        Assert.Equal((0, 20), Counts(await store.IngestAsync(first)));

        Assert.Equal(20, await Move(store));
        Assert.Equal(0, await Move(store));
        Assert.Equal((20, 0), Counts(await store.IngestAsync(second)));

        // The first ids are now in event_id_hashes, the second only in memory; a batch that mixes old and new ids.
        var mixed = new List<IncomingEvent>(first[..5]) { second[7] };
        mixed.AddRange(Samples("c", 40, 3));
        Assert.Equal((3, 6), Counts(await store.IngestAsync(mixed)));
        Assert.Equal(20, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));

        // A second writer on the same file starts with an empty memory: it rebuilds it from the events after the mark.
        await using (var reopened = new Writer(store))
        {
            Assert.Equal((0, 43), Counts(await reopened.Pipeline.SendAsync(new IngestCommand(store.Team, [.. first, .. second, .. Samples("c", 40, 3)]), TestContext.Current.CancellationToken)));
            Assert.Equal((1, 0), Counts(await reopened.Pipeline.SendAsync(new IngestCommand(store.Team, Samples("d", 50, 1)), TestContext.Current.CancellationToken)));
        }

        Assert.Equal(44, Scalar(store, "SELECT COUNT(*) FROM events"));
        Assert.Equal(0, Scalar(store, "SELECT COUNT(*) FROM (SELECT id FROM events GROUP BY team_id, id HAVING COUNT(*) > 1)"));
    }

    [Fact]
    public async Task Ids_of_a_command_that_was_rolled_back_or_of_deleted_events_can_be_stored_again()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        var moved = Samples("a", 0, 10);
        var recent = Samples("b", 10, 10);
        Assert.Equal(10, (await store.IngestAsync(moved)).Accepted);
        Assert.Equal(10, await Move(store));
        Assert.Equal(10, (await store.IngestAsync(recent)).Accepted);

        // The command stores its events, then fails: its savepoint goes, and the ids it added to memory with it.
        var failing = new FailingIngest(new IngestCommand(store.Team, Samples("c", 20, 5)));
        await Assert.ThrowsAnyAsync<Exception>(() => store.Pipeline.SendAsync(failing, TestContext.Current.CancellationToken));
        Assert.Equal(5, failing.StoredBeforeFailing);
        Assert.Equal((5, 0), Counts(await store.IngestAsync(Samples("c", 20, 5))));

        // Deleting an event frees its id, whether it was moved into event_id_hashes or is still in memory.
        Assert.Equal(2, await store.Pipeline.SendAsync(new DeleteEvents(["a3", "b4"]), TestContext.Current.CancellationToken));
        Assert.Equal(9, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));
        Assert.Equal((2, 18), Counts(await store.IngestAsync([.. moved, .. recent])));
        Assert.Equal(0, Scalar(store, "SELECT COUNT(*) FROM (SELECT id FROM events GROUP BY team_id, id HAVING COUNT(*) > 1)"));
    }

    [Fact]
    public async Task An_events_log_is_walked_by_cursor_across_both_marks_of_the_id_and_room_indexes()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        var batches = new[] { Samples("a", 0, 6), Samples("b", 6, 6), Samples("c", 12, 6), Samples("d", 18, 6) };

        // a: in both indexes; b: its rooms copied, its ids in memory; c: its ids moved, its rooms not yet copied
        // (the id mark past the room mark); d: after both marks.
        Assert.Equal(6, (await store.IngestAsync(batches[0])).Accepted);
        await store.Pipeline.SendAsync(new IndexRoomsCommand(), TestContext.Current.CancellationToken);
        Assert.Equal(6, await Move(store));
        Assert.Equal(6, (await store.IngestAsync(batches[1])).Accepted);
        await store.Pipeline.SendAsync(new IndexRoomsCommand(), TestContext.Current.CancellationToken);
        Assert.Equal(6, (await store.IngestAsync(batches[2])).Accepted);
        Assert.Equal(12, await Move(store));
        Assert.Equal(6, (await store.IngestAsync(batches[3])).Accepted);

        var room = new RoomStore(store.Database).Find(store.Team, "room-1")!.Id;
        var expected = batches.SelectMany(b => b).Where(e => e.Room.FriendlyUrl == "room-1").Select(e => e.Id).ToList();
        foreach (var descending in new[] { false, true })
        {
            var walked = new List<string>();
            for (var page = store.Queries.RoomEvents(store.Team, room, null, null, null, new Paging(Limit: 1, Descending: descending)); page.Data.Count > 0;
                 page = store.Queries.RoomEvents(store.Team, room, null, null, null, new Paging(Limit: 1, Descending: descending, After: walked[^1])))
            {
                walked.AddRange(page.Data.Select(e => e.Id));
            }

            Assert.Equal(descending ? Enumerable.Reverse(expected) : expected, walked);
        }

        // An id of another room is no cursor of this room's log, in either layer.
        var other = batches[0][1].Id;
        Assert.Equal("room-2", batches[0][1].Room.FriendlyUrl);
        Assert.True(store.Queries.RoomEvents(store.Team, room, null, null, null, new Paging(Limit: 5, After: other)).UnknownCursor);
        Assert.True(store.Queries.RoomEvents(store.Team, room, null, null, null, new Paging(Limit: 5, After: batches[3][1].Id)).UnknownCursor);
    }

    [Fact]
    public async Task The_writer_moves_ids_once_enough_have_gathered_and_when_it_falls_idle()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", SqliteUpkeep.Default with { RoomIndexInterval = TimeSpan.FromMilliseconds(200), IdIndexAfter = 30 });
        Assert.Equal(40, (await store.IngestAsync(Samples("a", 0, 40))).Accepted);
        // The next transaction finds 40 waiting, past 30: the writer moves them between two transactions.
        Assert.Equal(5, (await store.IngestAsync(Samples("b", 40, 5))).Accepted);
        for (var wait = 0; wait < 300 && Scalar(store, "SELECT COUNT(*) FROM event_id_hashes") < 45; wait++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(45, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));
        Assert.Equal(Scalar(store, "SELECT MAX(seq) FROM events"), Scalar(store, "SELECT seq FROM event_ids_mark"));
        Assert.Equal((0, 45), Counts(await store.IngestAsync([.. Samples("a", 0, 40), .. Samples("b", 40, 5)])));
    }

    [Fact]
    public async Task A_new_event_costs_the_id_index_only_look_ups_no_write_to_the_file()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        using var connection = store.Database.Open();
        var indexes = connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").ToList();
        Assert.DoesNotContain("events_by_id", indexes);
        Assert.Equal(30, (await store.IngestAsync(Samples("a", 0, 30))).Accepted);
        Assert.Equal(0, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));
        Assert.Equal(30, await Move(store));
        Assert.Equal(30, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));
    }

    [Fact]
    public async Task A_store_whose_events_were_stored_before_the_id_index_keeps_knowing_their_ids()
    {
        var folder = Path.Combine(Path.GetTempPath(), "callscope-data-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var database = CallscopeDatabase.Create("sqlite", null, folder);
            // The schema as it was before migration 0020, with events stored under the unique index on events.
            var upgrade = DbUp.DeployChanges.To.SqliteDatabase(database.ConnectionString)
                .WithScriptsEmbeddedInAssembly(typeof(CallscopeDatabase).Assembly, name => SqliteDialect.IsMigration(name) && !name.Contains(".0020_", StringComparison.Ordinal))
                .WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
            Assert.True(upgrade.Successful);
            var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T.AddHours(1));
            var team = new Teams.TeamStore(database, clock).Create("Old team", Teams.DeveloperKeys.Generate()).Id;
            using (var connection = database.Open())
            {
                Assert.Contains("events_by_id", connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'index'"));
                connection.Execute(
                    "INSERT INTO events (team_id, id, room_id, type, ts, received_at, law) VALUES (@team, @id, 'old-room', 'quality_sample', 0, 0, 0)",
                    Enumerable.Range(0, 30).Select(i => new { team = team.ToString(), id = $"a{i}" }));
            }

            // Migration 0020 indexes the stored ids by their texts, and 0023 moves them to their hashes.
            Assert.Equal(["0020_event_ids.sql", "0023_event_id_hashes"], database.Migrate(T.AddHours(1)).Select(n => n[(n.IndexOf(".Sqlite.", StringComparison.Ordinal) + 8)..]));
            using (var connection = database.Open())
            {
                Assert.Equal(30, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM event_id_hashes"));
                Assert.Equal(connection.ExecuteScalar<long>("SELECT MAX(seq) FROM events"), connection.ExecuteScalar<long>("SELECT seq FROM event_ids_mark"));
            }

            var pipeline = new IngestPipeline(database, clock, ByHand);
            using var stop = new CancellationTokenSource();
            var running = pipeline.RunAsync(stop.Token);
            var result = await pipeline.SendAsync(new IngestCommand(team, [.. Samples("a", 0, 30), .. Samples("b", 30, 5)]), TestContext.Current.CancellationToken);
            await stop.CancelAsync();
            await running;
            pipeline.Dispose();
            Assert.Equal((5, 30), Counts(result));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Two_ids_that_share_a_hash_stay_two_ids_and_a_stored_one_is_still_a_duplicate()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        var stored = Samples("a", 0, 3);
        Assert.Equal(3, (await store.IngestAsync(stored)).Accepted);
        Assert.Equal(3, await Move(store));

        // Give the ids about to arrive the hashes of stored events, as if they collided with those events' ids: the
        // look-up finds an entry and must compare the whole id to see that it names another event.
        var team = store.Team.ToString();
        var colliding = Samples("z", 10, 3);
        using (var connection = store.Database.Open())
        {
            var seqs = connection.Query<long>("SELECT seq FROM events ORDER BY seq").ToList();
            connection.Execute(
                "INSERT INTO event_id_hashes (hash, seq) VALUES (@hash, @seq)",
                colliding.Select((e, i) => new { hash = EventIdHashes.Of(team, e.Id), seq = seqs[i] }));
        }

        Assert.Equal((3, 0), Counts(await store.IngestAsync(colliding)));
        Assert.Equal((0, 6), Counts(await store.IngestAsync([.. stored, .. colliding])));
        Assert.Equal(3, await Move(store));
        Assert.Equal((0, 6), Counts(await store.IngestAsync([.. stored, .. colliding])));
        Assert.Equal(6, Scalar(store, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task Events_deleted_by_another_program_free_their_ids()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        var moved = Samples("a", 0, 4);
        Assert.Equal(4, (await store.IngestAsync(moved)).Accepted);
        Assert.Equal(4, await Move(store));

        // A connection that does not know the hash function, as the sqlite3 shell: deleting events works, and the
        // entry it leaves behind names an event that is gone.
        using (var shell = new Microsoft.Data.Sqlite.SqliteConnection(
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store.Database.ConnectionString) { Pooling = false }.ToString()))
        {
            shell.Open();
            Assert.Equal(2, shell.Execute("DELETE FROM events WHERE id IN ('a1', 'a2')"));
        }

        Assert.Equal(4, Scalar(store, "SELECT COUNT(*) FROM event_id_hashes"));
        Assert.Equal((2, 2), Counts(await store.IngestAsync(moved)));
        Assert.Equal(4, Scalar(store, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task An_event_is_found_by_id_on_a_connection_that_knows_no_function_of_ours()
    {
        // The events log's cursor is looked up on pooled readers, which know no function of ours: the hash goes in as
        // a parameter. One id is in the stored layer, the other only after the mark.
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", ByHand);
        Assert.Equal(4, (await store.IngestAsync(Samples("a", 0, 4))).Accepted);
        Assert.Equal(4, await Move(store));
        Assert.Equal(4, (await store.IngestAsync(Samples("b", 10, 4))).Accepted);

        using var reader = new Microsoft.Data.Sqlite.SqliteConnection(
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store.Database.ConnectionString) { Pooling = false }.ToString());
        reader.Open();
        foreach (var id in new[] { "a1", "b2" })
        {
            var (team, room, seq) = reader.QuerySingle<(string, string, long)>("SELECT team_id, room_id, seq FROM events WHERE id = @id", new { id });
            var p = new DynamicParameters();
            Assert.Equal(seq, reader.QuerySingle<long>($"SELECT e.seq FROM {store.Database.Dialect.EventById(p, team, id, room)} e", p));

            var elsewhere = new DynamicParameters();
            Assert.Empty(reader.Query<long>($"SELECT e.seq FROM {store.Database.Dialect.EventById(elsewhere, team, id, "another-room")} e", elsewhere));
        }
    }

    [Fact]
    public void An_ids_hash_never_changes_once_stored()
    {
        // Stored hashes are compared with the hashes of new ids for as long as the store lives: XxHash3 of the UTF-8
        // team id and event id, pinned here.
        Assert.Equal(6482115476773622790, EventIdHashes.Of("0196e6b0-7f8a-7000-8000-000000000001", "EV_1"));
        Assert.Equal(319304867809549683, EventIdHashes.Of("0196e6b0-7f8a-7000-8000-000000000001", "EV_\u00e9"));
        Assert.NotEqual(EventIdHashes.Of("t", "1"), EventIdHashes.Of("t", "2"));

        // An id longer than the stack buffer hashes the same way.
        var longId = new string('x', 2_000);
        Assert.Equal(unchecked((long)System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes("team" + longId))),
            EventIdHashes.Of("team", longId));
    }

    [Fact]
    public async Task An_event_is_found_by_id_through_the_id_index_and_the_room_index_not_by_walking_the_events()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite");
        using var connection = store.Database.Open();
        var p = new DynamicParameters();
        var plan = connection.Query<(long Id, long Parent, long Unused, string Detail)>(
            $"EXPLAIN QUERY PLAN SELECT e.seq FROM {store.Database.Dialect.EventById(p, "t", "i", "r")} e", p).Select(r => r.Detail).ToList();

        Assert.Contains(plan, d => d.Contains("SEARCH x USING PRIMARY KEY (hash=?)", StringComparison.Ordinal));
        Assert.Contains(plan, d => d.Contains("SEARCH x USING PRIMARY KEY (room_id=?)", StringComparison.Ordinal));
        Assert.Contains(plan, d => d.Contains("USING INTEGER PRIMARY KEY (rowid>?)", StringComparison.Ordinal));
        // Only the one-row marks are scanned.
        Assert.DoesNotContain(plan, d => d.StartsWith("SCAN", StringComparison.Ordinal) && !d.EndsWith("_mark", StringComparison.Ordinal));
    }

    private static Task<int> Move(StoreHarness store) => store.Pipeline.SendAsync(new IndexEventIdsCommand(), TestContext.Current.CancellationToken);

    private static long Scalar(StoreHarness store, string sql)
    {
        using var connection = store.Database.Open();
        return connection.ExecuteScalar<long>(sql);
    }

    private static (int Accepted, int Duplicates) Counts(IngestResult result) => (result.Accepted, result.Duplicates);

    /// <summary>Quality samples with ids <paramref name="prefix"/>0, 1, …, alternating between two rooms.</summary>
    private static List<IncomingEvent> Samples(string prefix, int second, int count) => TestEvents.QualitySamples(prefix, T, second, count, rooms: 2);

    /// <summary>A second writer on the store's file, as after a restart.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task running;

        public Writer(StoreHarness store)
        {
            Pipeline = new IngestPipeline(store.Database, store.Clock, ByHand);
            running = Pipeline.RunAsync(stop.Token);
        }

        public IngestPipeline Pipeline { get; }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            Pipeline.Dispose();
            stop.Dispose();
        }
    }

    /// <summary>Stores its batch, then fails, so the writer rolls its savepoint back.</summary>
    private sealed class FailingIngest(IngestCommand ingest) : WriteCommand<int>
    {
        public int StoredBeforeFailing { get; private set; }

        internal override int Run(WriteContext context)
        {
            StoredBeforeFailing = ((WriteCommand<IngestResult>)ingest).Run(context).Accepted;
            throw new InvalidOperationException("Fails after storing.");
        }
    }

    /// <summary>Deletes events by id on the writer's connection, as retention and erasure do.</summary>
    private sealed class DeleteEvents(string[] ids) : WriteCommand<int>
    {
        internal override int Run(WriteContext context) => context.Execute("DELETE FROM events WHERE id IN @ids", new { ids });
    }
}
