using System.Globalization;
using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// A late event must cost what it changes, not the room's whole past. A room holds 2,000 past sessions, ingested in
/// order through the writer; triggers the test adds to the store then record every row a late pair of events writes
/// to the tables the law derives (sessions, their participants, session aliases), and the test names the sessions
/// those rows belong to.
/// </summary>
public sealed class LateEventCostTests
{
    private const int PastSessions = 2000;
    private const string Room = "daily-standup";

    /// <summary>Each past session: the owner joins, leaves ten minutes later; the next one starts 30 minutes after it did.</summary>
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Length = TimeSpan.FromMinutes(10);

    private static readonly DateTimeOffset T = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T + (Every * PastSessions) + TimeSpan.FromHours(1);

    [Fact]
    public async Task A_late_join_and_leave_inside_the_oldest_of_2000_sessions_writes_only_that_session()
    {
        await using var store = new StoreHarness(Now);
        var before = await StoreHistoryAsync(store);
        var oldest = before[0];
        using var log = WriteLog.Install(store.Database);

        var result = await store.IngestAsync(
        [
            Event("late-join", EventTypes.ParticipantJoined, "guest", "late-connection", T + TimeSpan.FromMinutes(2)),
            Event("late-leave", EventTypes.ParticipantLeft, "guest", "late-connection", T + TimeSpan.FromMinutes(5)),
        ]);

        Assert.Equal(2, result.Accepted);
        var written = log.Read();
        TestContext.Current.TestOutputHelper?.WriteLine($"Rows the late pair wrote: {written.Counts()}");

        // What the API shows: the oldest session gained the guest; every session kept its id and its times.
        var after = Sessions(store);
        Assert.Equal(Describe(before), Describe(after));
        var participants = Participants(store, oldest.Id);
        Assert.Equal(["guest", "owner"], participants.Select(p => p.ExternalId).Order(StringComparer.Ordinal));
        var guest = Assert.Single(participants, p => p.ExternalId == "guest");

        // What the store wrote: the oldest session's row, its participants' rows (the guest's among them), no alias.
        var names = Names(before);
        Assert.Equal("sessions: #0; participants of: #0; aliases: none", written.Describe(names));
        Assert.Contains(guest.Id.ToString(), written.RowsOf("participants"));
    }

    [Fact]
    public async Task A_late_stay_that_bridges_the_two_oldest_of_2000_sessions_merges_them_and_writes_no_other_session()
    {
        await using var store = new StoreHarness(Now);
        var before = await StoreHistoryAsync(store);
        var (first, second) = (before[0], before[1]);
        using var log = WriteLog.Install(store.Database);

        // The guest stays from the middle of the oldest session into the next one: no gap is left between them.
        var result = await store.IngestAsync(
        [
            Event("late-join", EventTypes.ParticipantJoined, "guest", "late-connection", T + TimeSpan.FromMinutes(5)),
            Event("late-leave", EventTypes.ParticipantLeft, "guest", "late-connection", T + Every + TimeSpan.FromMinutes(5)),
        ]);

        Assert.Equal(2, result.Accepted);
        var written = log.Read();
        TestContext.Current.TestOutputHelper?.WriteLine($"Rows the late pair wrote: {written.Counts()}");

        // What the API shows: one session from the first's start to the second's end, under the first's id; the second's
        // id now finds it; every later session as it was.
        var after = Sessions(store);
        Assert.Equal(PastSessions - 1, after.Count);
        var merged = after[0];
        Assert.Equal((first.Id, first.Start, second.End), (merged.Id, merged.Start, merged.End));
        Assert.Equal(first.Id, store.Queries.Find(store.Team, second.Id.ToString())?.Id);
        Assert.Equal(Describe(before.Skip(2)), Describe(after.Skip(1)));
        var participants = Participants(store, merged.Id);
        Assert.Equal(["guest", "owner"], participants.Select(p => p.ExternalId).Order(StringComparer.Ordinal));
        Assert.Equal(2, Assert.Single(participants, p => p.ExternalId == "owner").Connections.Count);

        // What the store wrote: the two merged sessions' rows and their participants' rows, and the second's alias;
        // nothing of the 1,998 sessions after them.
        var names = Names(before);
        Assert.Equal("sessions: #0, #1; participants of: #0, #1; aliases: #1", written.Describe(names));
    }

    /// <summary>Stores the room's past, oldest first, in batches of 200 events, and returns its sessions as the API lists them.</summary>
    private static async Task<List<SessionView>> StoreHistoryAsync(StoreHarness store)
    {
        var events = Enumerable.Range(0, PastSessions).SelectMany(s =>
        {
            var start = T + (Every * s);
            var connection = string.Create(CultureInfo.InvariantCulture, $"owner-{s}");
            return new[]
            {
                Event($"{connection}-join", EventTypes.ParticipantJoined, "owner", connection, start),
                Event($"{connection}-leave", EventTypes.ParticipantLeft, "owner", connection, start + Length),
            };
        }).ToList();
        foreach (var batch in events.Chunk(200))
        {
            Assert.Equal(batch.Length, (await store.IngestAsync(batch)).Accepted);
        }

        var sessions = Sessions(store);
        Assert.Equal(PastSessions, sessions.Count);
        return sessions;
    }

    private static IncomingEvent Event(string id, string type, string who, string connection, DateTimeOffset at) =>
        new(id, type, at, Now, null, new RoomRef(null, Room), new ParticipantRef(who, who, null, connection), null);

    private static List<SessionView> Sessions(StoreHarness store) =>
        [.. store.Queries.List(store.Team, new SessionFilter(), new Paging(Limit: PastSessions + 10, Descending: false)).Data];

    private static IReadOnlyList<ParticipantView> Participants(StoreHarness store, SessionId session) =>
        store.Queries.Participants(store.Team, new ParticipantFilter(SessionId: session), new Paging(Limit: 100, Descending: false)).Data;

    private static string Describe(IEnumerable<SessionView> sessions) =>
        string.Join('\n', sessions.Select(s => $"{s.Id} {s.Start:O} {s.End:O}"));

    /// <summary>Each session id by its place in the room's history, oldest first (#0).</summary>
    private static Dictionary<string, int> Names(List<SessionView> sessions) =>
        sessions.Select((s, i) => (Id: s.Id.ToString(), i)).ToDictionary(s => s.Id, s => s.i, StringComparer.Ordinal);

    /// <summary>
    /// Row triggers on the derived tables that record each insert, update and delete (the row's key and the session
    /// it belongs to) in a table of the test's own, so a write is counted whichever statement made it.
    /// </summary>
    private sealed class WriteLog(System.Data.Common.DbConnection connection) : IDisposable
    {
        /// <summary>Each logged table, the column that keys its rows and the column naming their session.</summary>
        private static readonly (string Table, string Key, string Session)[] Tables =
        [
            ("sessions", "id", "id"), ("participants", "id", "session_id"), ("session_aliases", "alias_id", "session_id"),
        ];

        public static WriteLog Install(CallscopeDatabase database)
        {
            var connection = database.Open();
            connection.Execute("CREATE TABLE test_write_log (seq INTEGER NOT NULL, tbl TEXT NOT NULL, op TEXT NOT NULL, row_key TEXT NOT NULL, session_id TEXT NOT NULL)");
            if (database.Provider == DatabaseProvider.Postgres)
            {
                connection.Execute("CREATE SEQUENCE test_write_seq");
                connection.Execute(
                    """
                    CREATE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
                    DECLARE
                        r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
                    BEGIN
                        INSERT INTO test_write_log VALUES (nextval('test_write_seq'), TG_TABLE_NAME, lower(TG_OP), r ->> TG_ARGV[0], r ->> TG_ARGV[1]);
                        RETURN NULL;
                    END $$
                    """);
                foreach (var (table, key, session) in Tables)
                {
                    connection.Execute($"CREATE TRIGGER test_log_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION test_log_write('{key}', '{session}')");
                }
            }
            else
            {
                foreach (var (table, key, session) in Tables)
                {
                    foreach (var (op, row) in new[] { ("insert", "NEW"), ("update", "NEW"), ("delete", "OLD") })
                    {
                        connection.Execute(
                            $"""
                            CREATE TRIGGER test_log_{table}_{op} AFTER {op.ToUpperInvariant()} ON {table}
                            BEGIN
                                INSERT INTO test_write_log VALUES ((SELECT COUNT(*) FROM test_write_log), '{table}', '{op}', {row}.{key}, {row}.{session});
                            END
                            """);
                    }
                }
            }

            return new WriteLog(connection);
        }

        public Writes Read() => new([.. connection.Query<(string Table, string Op, string Key, string Session)>(
            "SELECT tbl, op, row_key, session_id FROM test_write_log ORDER BY seq")]);

        public void Dispose() => connection.Dispose();
    }

    /// <summary>The rows a write made, in the order they were made.</summary>
    private sealed record Writes(List<(string Table, string Op, string Key, string Session)> Rows)
    {
        public HashSet<string> RowsOf(string table) => [.. Rows.Where(r => r.Table == table).Select(r => r.Key)];

        /// <summary>Which sessions had their own row, their participants' rows and aliases to them written, by place in the history.</summary>
        public string Describe(IReadOnlyDictionary<string, int> names)
        {
            string Of(string table, Func<(string Table, string Op, string Key, string Session), string> id) =>
                Ranges([.. Rows.Where(r => r.Table == table).Select(id).Distinct().Select(s => names.TryGetValue(s, out var n) ? n : -1)]);
            return $"sessions: {Of("sessions", r => r.Key)}; participants of: {Of("participants", r => r.Session)}; aliases: {Of("session_aliases", r => r.Key)}";
        }

        /// <summary>Rows and writes per table and kind of write, for the test's output.</summary>
        public string Counts() => string.Join(", ", Rows.GroupBy(r => r.Table).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            $"{g.Key} {g.Select(r => r.Key).Distinct().Count()} rows [{string.Join(" ", g.GroupBy(r => r.Op).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Count()}"))}]"))
            is { Length: > 0 } text ? text : "nothing";

        /// <summary>Places as ranges (#0, #2–#1999); a session that is not in the history shows as "new".</summary>
        private static string Ranges(List<int> places)
        {
            if (places.Count == 0)
            {
                return "none";
            }

            var parts = new List<string>();
            var known = places.Where(p => p >= 0).Order().ToList();
            for (var i = 0; i < known.Count;)
            {
                var j = i;
                while (j + 1 < known.Count && known[j + 1] == known[j] + 1)
                {
                    j++;
                }

                parts.Add(j == i ? $"#{known[i]}" : j == i + 1 ? $"#{known[i]}, #{known[j]}" : $"#{known[i]}–#{known[j]}");
                i = j + 1;
            }

            var fresh = places.Count(p => p < 0);
            if (fresh > 0)
            {
                parts.Add($"{fresh} new");
            }

            return string.Join(", ", parts);
        }
    }
}
