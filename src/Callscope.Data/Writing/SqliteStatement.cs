using System.Runtime.InteropServices;
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
/// <para>
/// The calls made for every event (set a parameter, step, reset) go to SQLite's library directly, with the statement's
/// handle as a plain pointer. Through <see cref="raw"/> each call took and released a reference on the statement's
/// <see cref="SafeHandle"/>, two interlocked operations per call and sixteen calls per event: about a tenth of the
/// writer's own (managed) time in the tenth round's profile. The handle stays valid as long as this object, which owns
/// it and is used by the writer's thread alone.
/// </para>
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;
    private readonly nint handle;
    private readonly int[] positions;
    private byte[] text = new byte[256];

    // SQLite's own name for "copy the text before the call returns".
    private const nint Transient = -1;

    public SqliteStatement(SqliteConnection connection, string sql, ReadOnlySpan<string> parameters)
    {
        db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, sql, out statement));
        handle = statement.DangerousGetHandle();
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
    public void Bind(int parameter, long value) => Check(BindInt64(handle, positions[parameter], value));

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
        Check(BindText(handle, positions[parameter], ref MemoryMarshal.GetArrayDataReference(text), written, Transient));
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

    private void BindNull(int parameter) => Check(BindNull(handle, positions[parameter]));

    /// <summary>Runs the statement to its end and makes it ready to run again; whether it gave a row.</summary>
    public bool Run() => Finish(Step(handle));

    /// <summary>Runs the statement to its end and makes it ready to run again; its first row's first column as text, or null.</summary>
    public string? RunForText()
    {
        var rc = Step(handle);
        var value = rc == raw.SQLITE_ROW ? raw.sqlite3_column_text(statement, 0).utf8_to_string() : null;
        Finish(rc);
        return value;
    }

    /// <summary>
    /// Resets the statement after a step that returned <paramref name="rc"/>, and throws what either failed with; whether
    /// the step gave a row. The writer's statements that give rows give at most one; the rest is not read.
    /// </summary>
    private bool Finish(int rc)
    {
        var row = rc == raw.SQLITE_ROW;
        var reset = Reset(handle);
        Check(row || rc == raw.SQLITE_DONE ? reset : rc);
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

    // The library SQLitePCL's provider loads (the same name, so the same file); only plain values cross, so no marshalling.
    private const string Library = "e_sqlite3";

    [DllImport(Library, EntryPoint = "sqlite3_bind_int64")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int BindInt64(nint statement, int index, long value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_null")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int BindNull(nint statement, int index);

    [DllImport(Library, EntryPoint = "sqlite3_bind_text")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int BindText(nint statement, int index, ref byte text, int length, nint destructor);

    [DllImport(Library, EntryPoint = "sqlite3_step")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Step(nint statement);

    [DllImport(Library, EntryPoint = "sqlite3_reset")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Reset(nint statement);
}
