using Callscope.Bench.Hosting;
using Callscope.Bench.Workload;
using Npgsql;
using NpgsqlTypes;

namespace Callscope.Bench;

/// <summary>
/// A PostgreSQL server given by its connection string: each store of a run is a database of its own on it
/// (<c>cs_bench_NAME</c>), created empty and dropped afterwards unless kept.
/// </summary>
public sealed class PostgresTarget(string serverConnectionString) : StoreTarget
{
    public override string Name => "PostgreSQL";

    public override string RawInsertMethod => "binary COPY";

    public override async Task<BenchStore> OpenAsync(string name, string dataDirectory, bool reuse, bool keep, CancellationToken cancellationToken)
    {
        var database = "cs_bench_" + new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        await using var admin = new NpgsqlConnection(For("postgres"));
        await admin.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", admin))
        {
            exists.Parameters.AddWithValue("name", database);
            var found = (long)(await exists.ExecuteScalarAsync(cancellationToken))! > 0;
            if (found && !reuse)
            {
                await Execute(admin, $"DROP DATABASE \"{database}\" WITH (FORCE)", cancellationToken);
            }

            if (!found || !reuse)
            {
                await Execute(admin, $"CREATE DATABASE \"{database}\"", cancellationToken);
                if (Directory.Exists(dataDirectory))
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
            }
        }

        Directory.CreateDirectory(dataDirectory);
        return new Store(this, database, dataDirectory, keep);
    }

    /// <summary>Binary COPY of the rows into the events table, in one transaction.</summary>
    public override async Task<double> RawInsertRateAsync(BenchStore store, IReadOnlyList<SimEvent> events, CancellationToken cancellationToken)
    {
        await ChildServer.MigrateAsync(store, cancellationToken);
        await using var connection = new NpgsqlConnection(((Store)store).ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var team = Guid.CreateVersion7().ToString();
        var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rooms = new Dictionary<string, string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY events (team_id, id, room_id, type, ts, received_at, law, external_id, connection_id, participant_name, role, data) FROM STDIN (FORMAT BINARY)",
                cancellationToken))
            {
                foreach (var e in events)
                {
                    if (!rooms.TryGetValue(e.Room, out var room))
                    {
                        rooms[e.Room] = room = Guid.CreateVersion7().ToString();
                    }

                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(team, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(room, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Type, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.TimeMs, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(receivedAt, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(e.IsLaw ? 1L : 0L, NpgsqlDbType.Bigint, cancellationToken);
                    await WriteText(copy, e.ExternalId, cancellationToken);
                    await WriteText(copy, e.ConnectionId, cancellationToken);
                    await WriteText(copy, e.Name, cancellationToken);
                    await WriteText(copy, e.Role, cancellationToken);
                    await WriteText(copy, e.Data, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }

        return events.Count / clock.Elapsed.TotalSeconds;
    }

    private string For(string database) => new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ToString();

    private static async Task WriteText(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class Store(PostgresTarget target, string database, string dataDirectory, bool keep) : BenchStore(dataDirectory, keep)
    {
        public string ConnectionString { get; } = target.For(database);

        public override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string>
        {
            ["Callscope__DataDirectory"] = DataDirectory,
            ["Callscope__Database__Provider"] = "postgres",
            ["Callscope__Database__ConnectionString"] = ConnectionString,
        };

        public override IStoreProbe OpenProbe()
        {
            var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            return new SqlProbe(connection);
        }

        protected override void Drop()
        {
            NpgsqlConnection.ClearAllPools();
            using var admin = new NpgsqlConnection(target.For("postgres"));
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }
    }
}
