using System.Buffers;
using System.Data;
using System.IO.Hashing;
using System.Text;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Dialects;

/// <summary>
/// SQLite only: the stored layer of the event id index keeps a 64-bit hash of each team and id with the event's
/// <c>seq</c>, not the texts (migration 0023): an entry takes about 14 bytes instead of about 80, so the index of a
/// million ids fits the writer's page cache and a look-up by a random id finds its page there. A hash match is checked
/// against the event itself (<c>events</c> by <c>seq</c>), so two ids that share a hash stay two ids.
/// <para>
/// The hash is XxHash3 of the UTF-8 team id followed by the event id. It is stored, so it can never change. The
/// writer's connection and the migration's know it as the SQL function <see cref="Function"/>; a reader is given the
/// hash as a parameter (<see cref="SqliteDialect.EventById"/>). A deleted event's entry is removed
/// by a temporary trigger of the writer's connection (<see cref="ForgetDeleted"/>), not by one stored in the file,
/// which would make every other program (the <c>sqlite3</c> shell) fail to delete events for want of the function.
/// An entry left behind by such a program names an event that is gone, and since an event's <c>seq</c> is never used
/// again, it can never match: it only takes its 14 bytes.
/// </para>
/// </summary>
public static class EventIdHashes
{
    /// <summary>The SQL function the writer's connection knows: <c>callscope_event_id_hash(team_id, id)</c>.</summary>
    public const string Function = "callscope_event_id_hash";

    /// <summary>The hash of a team's event id, as stored in <c>event_id_hashes</c>.</summary>
    public static long Of(string team, string id)
    {
        var length = Encoding.UTF8.GetMaxByteCount(team.Length + id.Length);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented ?? stackalloc byte[512];
        try
        {
            var written = Encoding.UTF8.GetBytes(team, buffer);
            written += Encoding.UTF8.GetBytes(id, buffer[written..]);
            return unchecked((long)XxHash3.HashToUInt64(buffer[..written]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Makes <see cref="Function"/> known to the connection.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<string, string, long>(Function, Of, isDeterministic: true);

    /// <summary>The writer's temporary trigger that removes a deleted event's entry, whichever command deletes it.</summary>
    public const string ForgetDeleted =
        $"""
        CREATE TEMP TRIGGER IF NOT EXISTS event_id_hashes_gone AFTER DELETE ON main.events BEGIN
            DELETE FROM main.event_id_hashes WHERE hash = {Function}(OLD.team_id, OLD.id) AND seq = OLD.seq;
        END
        """;

    /// <summary>
    /// Migration 0023, run by code so that the connection running it knows the hash: the ids stored up to the mark move
    /// from <c>event_ids</c> into <c>event_id_hashes</c>, in key order.
    /// </summary>
    internal sealed class Migration : IScript
    {
        public const string Name = "Callscope.Data.Migrations.Sqlite.0023_event_id_hashes";

        public string ProvideScript(Func<IDbCommand> dbCommandFactory)
        {
            using var command = dbCommandFactory();
            Register((SqliteConnection)command.Connection!);
            return $"""
                CREATE TABLE event_id_hashes (
                    hash INTEGER NOT NULL,
                    seq  INTEGER NOT NULL,
                    PRIMARY KEY (hash, seq)
                ) WITHOUT ROWID;

                INSERT INTO event_id_hashes (hash, seq) SELECT {Function}(team_id, id), seq FROM event_ids ORDER BY 1, 2;

                -- A deleted event's entry is now removed by a trigger of the writer's connection (ForgetDeleted).
                DROP TRIGGER event_ids_gone;
                DROP TABLE event_ids;
                """;
        }
    }
}
