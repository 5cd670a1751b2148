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
            // The server checks ids against an index of its own (event_ids and the writer's memory of the newest ids);
            // the plain way to skip a repeated id is a unique index on events, kept up by every insert, as the schema
            // had before: the baseline keeps that, so that its figure compares with the runs before.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE UNIQUE INDEX IF NOT EXISTS raw_events_by_id ON events (team_id, id);";
            pragma.ExecuteNonQuery();
        }

        var team = Guid.CreateVersion7().ToString();
        var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rooms = new Dictionary<string, string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var tx = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText =
                """
                INSERT INTO events (team_id, id, room_id, type, ts, received_at, skew_ms, law, external_id, connection_id, participant_name, role, data)
                VALUES ($team, $id, $room, $type, $ts, $received, NULL, $law, $external, $connection, $name, $role, $data)
                ON CONFLICT (team_id, id) DO NOTHING
                """;
            var p = Parameters.Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
            insert.Prepare();
            foreach (var e in events)
            {
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
