using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Writing;

/// <summary>
/// The writer's statements on its one connection, each built once and reused for the life of the connection. On
/// SQLite a statement is compiled once instead of on every call, which is most of what a small statement costs;
/// on PostgreSQL the command object and its parameters are reused.
/// </summary>
internal sealed class WriterStatements(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteStatement> sqliteStatements = new(StringComparer.Ordinal);

    /// <summary>SQLite: the ids of the events stored since the last move into the id index.</summary>
    public RecentEventIds RecentIds { get; } = new();

    /// <summary>The command for <paramref name="sql"/>, in <paramref name="tx"/>, with its parameters in the order named.</summary>
    public DbCommand For(string sql, DbTransaction tx, params ReadOnlySpan<string> parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = command.CreateParameter();
                // With its prefix: Microsoft.Data.Sqlite otherwise tries each prefix on every execution.
                parameter.ParameterName = "@" + name;
                command.Parameters.Add(parameter);
            }

            commands[sql] = command;
        }

        command.Transaction = tx;
        return command;
    }

    /// <summary>
    /// SQLite only: the statement for <paramref name="sql"/> driven through SQLite's own calls, its parameters set by
    /// their place in <paramref name="parameters"/>. It runs in whatever transaction the connection has open.
    /// </summary>
    public SqliteStatement Sqlite(string sql, params ReadOnlySpan<string> parameters)
    {
        if (!sqliteStatements.TryGetValue(sql, out var statement))
        {
            statement = new SqliteStatement((SqliteConnection)connection, sql, parameters);
            sqliteStatements[sql] = statement;
        }

        return statement;
    }

    /// <summary>Sets the parameters in the order they were named, null as database NULL.</summary>
    public static DbCommand Bind(DbCommand command, params ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }

        commands.Clear();
        foreach (var statement in sqliteStatements.Values)
        {
            statement.Dispose();
        }

        sqliteStatements.Clear();
    }
}
