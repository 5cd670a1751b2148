using System.Data.Common;
using System.Text;
using Callscope.Data;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// Every row of every table of the store as text, to show that a refused request stored nothing. SQLite's indexes
/// built from events (event rooms, and event ids with their mark) are left out: the writer fills them from events on
/// its own schedule, and the events themselves are compared. On PostgreSQL <c>event_ids</c> is written with the events
/// and stays in.
/// </summary>
public static class StoreSnapshot
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "schemaversions", "event_rooms", "event_rooms_mark" };

    private static readonly HashSet<string> SkippedOnSqlite = new(StringComparer.OrdinalIgnoreCase) { "event_id_hashes", "event_ids_mark" };

    public static async Task<string> TakeAsync(CallscopeApp app)
    {
        await app.SettleAsync();
        var database = app.Services.GetRequiredService<CallscopeDatabase>();
        using var connection = database.Open();
        var tables = Column(connection, database.Provider == DatabaseProvider.Postgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        var text = new StringBuilder();
        var sqlite = database.Provider != DatabaseProvider.Postgres;
        foreach (var table in tables.Where(t => !Skipped.Contains(t) && !(sqlite && SkippedOnSqlite.Contains(t))))
        {
            var rows = new List<string>();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}")));
            }

            rows.Sort(StringComparer.Ordinal);
            text.Append(table).Append(": ").Append(rows.Count).AppendLine(" rows");
            rows.ForEach(r => text.AppendLine(r));
        }

        return text.ToString();
    }

    private static List<string> Column(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
