using Callscope.Bench.Hosting;
using Callscope.Bench.Workload;
using Microsoft.Data.Sqlite;

namespace Callscope.Bench;

/// <summary>The embedded default: a SQLite file in the server's data folder.</summary>
public sealed class SqliteTarget : StoreTarget
{
    private static readonly string[] Parameters =
        ["$team", "$id", "$room", "$type", "$ts", "$received", "$law", "$external", "$connection", "$name", "$role", "$data"];

    public override string Name => "SQLite";

    public override string RawInsertMethod => "prepared inserts";

    public override Task<BenchStore> OpenAsync(string name, string dataDirectory, bool reuse, bool keep, CancellationToken cancellationToken)
    {
        if (!reuse && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        Directory.CreateDirectory(dataDirectory);
        return Task.FromResult<BenchStore>(new Store(dataDirectory, keep));
    }

    public override async Task<double> RawInsertRateAsync(BenchStore store, IReadOnlyList<SimEvent> events, CancellationToken cancellationToken)
    {
        // The server's own migration creates the schema, so the rows land in the same table with the same indexes,
        // and the connection gets the pragmas the server's writer uses.
        await ChildServer.MigrateAsync(store, cancellationToken);
        using var connection = Open(store.DataDirectory, SqliteOpenMode.ReadWrite);
        using (var pragma = connection.CreateCommand())
        {
            // The server checks ids against an index of its own (event_id_hashes and the writer's memory of the newest
            // ids); the plain way to skip a repeated id is a unique index on events, kept up by every insert, as the
            // schema had before: this baseline keeps that, so that its figure compares with the runs before.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE UNIQUE INDEX IF NOT EXISTS raw_events_by_id ON events (team_id, id);";
            pragma.ExecuteNonQuery();
        }

        return InsertAll(connection, events, "ON CONFLICT (team_id, id) DO NOTHING", null);
    }

    /// <summary>
    /// The server's id index without the server: each id looked up in a set of the newest ids, then by its hash in
    /// <c>event_id_hashes</c> (the event it names compared whole), the row inserted, and every 100,000 rows (the
    /// server's default) the newest ids' hashes moved into <c>event_id_hashes</c> in key order, by the server's statement.
    /// </summary>
    public override async Task<(string Method, double Rate)?> RawServerIndexRateAsync(BenchStore store, IReadOnlyList<SimEvent> events, CancellationToken cancellationToken)
    {
        await ChildServer.MigrateAsync(store, cancellationToken);
        using var connection = Open(store.DataDirectory, SqliteOpenMode.ReadWrite);
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            pragma.ExecuteNonQuery();
        }

        using var known = connection.CreateCommand();
        known.CommandText = "SELECT 1 FROM event_id_hashes x JOIN events e ON e.seq = x.seq WHERE x.hash = $hash AND e.team_id = $team AND e.id = $id";
        var (hash, team, id) = (known.Parameters.Add(new SqliteParameter { ParameterName = "$hash" }),
            known.Parameters.Add(new SqliteParameter { ParameterName = "$team" }), known.Parameters.Add(new SqliteParameter { ParameterName = "$id" }));
        // The move is the server's own statement, with the hash as the server's connections know it.
        Callscope.Data.Dialects.EventIdHashes.Register(connection);
        using var move = connection.CreateCommand();
        move.CommandText =
            $"""
            INSERT OR IGNORE INTO event_id_hashes (hash, seq) SELECT {Callscope.Data.Dialects.EventIdHashes.Function}(team_id, id), seq FROM events WHERE seq > $mark ORDER BY 1, 2;
            SELECT MAX(seq) FROM events;
            """;
        var mark = move.Parameters.Add(new SqliteParameter { ParameterName = "$mark", Value = 0L });
        var recent = new HashSet<(string, string)>();

        bool IsNew(SqliteTransaction tx, string teamId, SimEvent e)
        {
            if (recent.Contains((teamId, e.Id)))
            {
                return false;
            }

            known.Transaction = tx;
            (hash.Value, team.Value, id.Value) = (Callscope.Data.Dialects.EventIdHashes.Of(teamId, e.Id), teamId, e.Id);
            return known.ExecuteScalar() is null;
        }

        void Stored(SqliteTransaction tx, string teamId, SimEvent e)
        {
            recent.Add((teamId, e.Id));
            if (recent.Count < 100_000)
            {
                return;
            }

            move.Transaction = tx;
            mark.Value = move.ExecuteScalar();
            recent.Clear();
        }

        return ("prepared inserts, ids checked and kept as the server keeps them", InsertAll(connection, events, "", (IsNew, Stored)));
    }

    /// <summary>Inserts the rows in one transaction, each after <paramref name="index"/>'s check when given; answers rows/s.</summary>
    private static double InsertAll(SqliteConnection connection, IReadOnlyList<SimEvent> events, string onConflict,
        (Func<SqliteTransaction, string, SimEvent, bool> IsNew, Action<SqliteTransaction, string, SimEvent> Stored)? index)
    {
        var team = Guid.CreateVersion7().ToString();
        var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rooms = new Dictionary<string, string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var tx = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText =
                $"""
                INSERT INTO events (team_id, id, room_id, type, ts, received_at, skew_ms, law, external_id, connection_id, participant_name, role, data)
                VALUES ($team, $id, $room, $type, $ts, $received, NULL, $law, $external, $connection, $name, $role, $data)
                {onConflict}
                """;
            var p = Parameters.Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
            insert.Prepare();
            foreach (var e in events)
            {
                if (index is { } check && !check.IsNew(tx, team, e))
                {
                    continue;
                }

                if (!rooms.TryGetValue(e.Room, out var room))
                {
                    rooms[e.Room] = room = Guid.CreateVersion7().ToString();
                }

                p[0].Value = team;
                p[1].Value = e.Id;
                p[2].Value = room;
                p[3].Value = e.Type;
                p[4].Value = e.TimeMs;
                p[5].Value = receivedAt;
                p[6].Value = e.IsLaw ? 1 : 0;
                p[7].Value = (object?)e.ExternalId ?? DBNull.Value;
                p[8].Value = (object?)e.ConnectionId ?? DBNull.Value;
                p[9].Value = (object?)e.Name ?? DBNull.Value;
                p[10].Value = (object?)e.Role ?? DBNull.Value;
                p[11].Value = (object?)e.Data ?? DBNull.Value;
                insert.ExecuteNonQuery();
                index?.Stored(tx, team, e);
            }

            tx.Commit();
        }

        return events.Count / clock.Elapsed.TotalSeconds;
    }

    private static SqliteConnection Open(string dataDirectory, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "callscope.db"),
            Mode = mode,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private sealed class Store(string dataDirectory, bool keep) : BenchStore(dataDirectory, keep)
    {
        public override IReadOnlyDictionary<string, string> ServerEnvironment { get; } = new Dictionary<string, string>
        {
            ["Callscope__DataDirectory"] = dataDirectory,
            ["Callscope__Database__Provider"] = "sqlite",
        };

        public override IStoreProbe OpenProbe() => new SqlProbe(Open(DataDirectory, SqliteOpenMode.ReadOnly));

        protected override void Drop()
        {
            // The database is a file in the data folder, which goes with it.
        }
    }
}
