using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Callscope.Data.Writing;

/// <summary>
/// SQLite only: one of the writer's statements that runs once per event, compiled once and driven through SQLite's own
/// calls (<see cref="raw"/>) instead of a <see cref="SqliteCommand"/>. The command finds each parameter's position by
/// its name and builds a data reader on every execution; for the two statements that run for every event that was
/// about 5 % of the server's time, all of it on the writer (docs/benchmarks.md, "Ninth round"). Here the positions
/// are found once, texts go in through a buffer the statement keeps, and a failure is thrown as the command would
/// throw it (<see cref="SqliteException"/>), so the writer's handling of transient errors is the same.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;
    private readonly int[] positions;
    private byte[] text = new byte[256];

    public SqliteStatement(SqliteConnection connection, string sql, ReadOnlySpan<string> parameters)
    {
        db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, sql, out statement));
        positions = new int[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            positions[i] = raw.sqlite3_bind_parameter_index(statement, "@" + parameters[i]);
            if (positions[i] == 0)
            {
                statement.Dispose();
                throw new ArgumentException($"The statement has no parameter @{parameters[i]}.", nameof(parameters));
            }
        }
    }

    /// <summary>Sets a parameter, by its place among the names given (from 0), to a whole number.</summary>
    public void Bind(int parameter, long value) => Check(raw.sqlite3_bind_int64(statement, positions[parameter], value));

    /// <summary>Sets a parameter, by its place among the names given (from 0), to a text or to NULL.</summary>
    public void Bind(int parameter, string? value)
    {
        if (value is null)
        {
            BindNull(parameter);
            return;
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > text.Length)
        {
            text = new byte[Math.Max(length, text.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(value, text);
        // SQLite copies the text (SQLITE_TRANSIENT), so the buffer is free again for the next parameter.
        Check(raw.sqlite3_bind_text(statement, positions[parameter], text.AsSpan(0, written)));
    }

    /// <summary>Sets a parameter, by its place among the names given (from 0), to a whole number or to NULL.</summary>
    public void Bind(int parameter, long? value)
    {
        if (value is { } v)
        {
            Bind(parameter, v);
        }
        else
        {
            BindNull(parameter);
        }
    }

    private void BindNull(int parameter) => Check(raw.sqlite3_bind_null(statement, positions[parameter]));

    /// <summary>Runs the statement to its end and makes it ready to run again; whether it gave a row.</summary>
    public bool Run()
    {
        var rc = raw.sqlite3_step(statement);
        var row = rc == raw.SQLITE_ROW;
        if (row)
        {
            // The writer's statements that give rows give at most one; the rest is not read.
            rc = raw.SQLITE_DONE;
        }

        var reset = raw.sqlite3_reset(statement);
        Check(rc == raw.SQLITE_DONE ? reset : rc);
        return row;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    public void Dispose() => statement.Dispose();
}
