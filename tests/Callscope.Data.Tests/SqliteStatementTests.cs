using Callscope.Data.Writing;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Tests;

/// <summary>
/// The writer's per-event statements on SQLite run through SQLite's own calls: parameters set by name whatever their
/// order in the text, texts and NULLs stored as a command would store them, and a failure thrown as the command would
/// throw it, with the statement usable again after it.
/// </summary>
public sealed class SqliteStatementTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("callscope-statement-").FullName;
    private readonly SqliteConnection connection;

    public SqliteStatementTests()
    {
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "s.db"), Pooling = false }.ToString());
        connection.Open();
        connection.Execute("CREATE TABLE t (a INTEGER NOT NULL, b TEXT, c TEXT NOT NULL UNIQUE)");
    }

    [Fact]
    public void Parameters_are_set_by_name_and_texts_and_nulls_are_stored_as_given()
    {
        using var insert = new SqliteStatement(connection, "INSERT INTO t (c, b, a) VALUES (@c, @b, @a)", ["a", "b", "c"]);
        var longText = new string('é', 3_000) + "\ud83d\ude00";
        insert.Bind(0, 7L);
        insert.Bind(1, longText);
        insert.Bind(2, "one");
        Assert.False(insert.Run());
        insert.Bind(0, 8L);
        insert.Bind(1, (string?)null);
        insert.Bind(2, "two");
        Assert.False(insert.Run());

        Assert.Equal([(7L, longText, "one"), (8L, null, "two")], connection.Query<(long, string?, string)>("SELECT a, b, c FROM t ORDER BY a"));

        using var find = new SqliteStatement(connection, "SELECT 1 FROM t WHERE c = @c", ["c"]);
        find.Bind(0, "two");
        Assert.True(find.Run());
        find.Bind(0, "three");
        Assert.False(find.Run());
    }

    [Fact]
    public void A_text_is_read_back_whole_and_no_row_or_a_null_reads_as_null()
    {
        var longText = "ŝ" + new string('x', 5_000) + "\ud83d\ude00";
        connection.Execute("INSERT INTO t (a, b, c) VALUES (1, @longText, 'one'), (2, NULL, 'two')", new { longText });
        using var find = new SqliteStatement(connection, "SELECT b FROM t WHERE c = @c", ["c"]);

        find.Bind(0, "one");
        Assert.Equal(longText, find.RunForText());
        find.Bind(0, "two");
        Assert.Null(find.RunForText());
        find.Bind(0, "three");
        Assert.Null(find.RunForText());
        find.Bind(0, "one");
        Assert.Equal(longText, find.RunForText());
    }

    [Fact]
    public void A_failure_is_thrown_as_a_command_throws_it_and_the_statement_runs_again_after_it()
    {
        using var insert = Insert();
        Put(insert, 1L, "x", "same");

        var error = Assert.Throws<SqliteException>(() => insert.Run());
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);

        insert.Bind(0, (long?)null);
        insert.Bind(2, "fresh");
        var missing = Assert.Throws<SqliteException>(() => insert.Run());
        Assert.Equal(19, missing.SqliteErrorCode);
        Assert.Contains("NOT NULL", missing.Message, StringComparison.Ordinal);

        insert.Bind(0, 2L);
        insert.Bind(2, "other");
        insert.Run();
        Assert.Equal(2, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM t"));
    }

    [Fact]
    public void The_statement_calls_the_same_SQLite_library_as_the_connection()
    {
        using var insert = Insert();
        Put(insert, 1L, "x", "one");

        // A second copy of the library would have its own locks and memory for the same connection.
        var copies = File.ReadLines("/proc/self/maps").Where(line => line.Contains("/libe_sqlite3", StringComparison.Ordinal))
            .Select(line => line[line.IndexOf('/', StringComparison.Ordinal)..]).Distinct().ToList();
        Assert.Single(copies);
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM t WHERE c = 'one'"));
    }

    [Fact]
    public void A_parameter_the_text_does_not_have_is_refused_when_the_statement_is_made()
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteStatement(connection, "SELECT 1 FROM t WHERE c = @c", ["c", "d"]));
        Assert.Contains("@d", error.Message, StringComparison.Ordinal);
        Assert.Throws<SqliteException>(() => new SqliteStatement(connection, "SELECT FROM nowhere", []));
    }

    /// <summary>An insert of one row into <c>t</c>, its parameters in the table's order.</summary>
    private SqliteStatement Insert() => new(connection, "INSERT INTO t (a, b, c) VALUES (@a, @b, @c)", ["a", "b", "c"]);

    private static void Put(SqliteStatement insert, long a, string b, string c)
    {
        insert.Bind(0, a);
        insert.Bind(1, b);
        insert.Bind(2, c);
        insert.Run();
    }

    public void Dispose()
    {
        connection.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
