using Dapper;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Writing;

/// <summary>
/// SQLite only: the newest layer of the event id index (migration 0020), in the writer's own memory. It holds the ids
/// of the events stored after <c>event_ids_mark</c>, which <c>event_ids</c> does not have yet, so a repeated id is
/// known without a lookup in the store. <see cref="Dialects.IndexEventIdsCommand"/> moves them into the stored layer
/// (<c>event_id_hashes</c>) and empties it.
/// <para>
/// A temporary trigger of the writer's connection takes a deleted event's id out of it, whichever command deletes it.
/// Whenever the memory may be ahead of the store — a command or a transaction rolled back — it is forgotten and read
/// again from the events after the mark on its next use, inside the transaction that uses it. A rollback is rare, and
/// a reading costs one scan of the newest rows, so exactness costs nothing on the common path.
/// </para>
/// </summary>
internal sealed class RecentEventIds
{
    /// <summary>The ids of the events after the mark by team, or null when they must be read again.</summary>
    private HashSet<(string Team, string Id)>? ids;

    /// <summary>How many ids it holds; none until its first use reads them.</summary>
    public int Count => ids?.Count ?? 0;

    /// <summary>Whether the team already stored an event with this id after the mark.</summary>
    public bool Contains(WriteContext context, string team, string id) => Load(context).Contains((team, id));

    /// <summary>Records an event the running transaction stored.</summary>
    public void Add(string team, string id) => ids?.Add((team, id));

    /// <summary>
    /// The ids were moved into <c>event_ids</c> and the mark moved past them. The set keeps its room for the next
    /// hundred thousand: grown again from nothing, each move cycle left its outgrown arrays to the collector.
    /// </summary>
    public void Moved() => (ids ??= []).Clear();

    /// <summary>The memory may differ from the store: it is read again on its next use.</summary>
    public void Forget() => ids = null;

    private HashSet<(string Team, string Id)> Load(WriteContext context)
    {
        if (ids is { } known)
        {
            return known;
        }

        // The trigger is created in the transaction that reads the ids: if it rolls back, both are gone together.
        var connection = (SqliteConnection)context.Connection;
        if (!registered)
        {
            connection.CreateFunction("callscope_event_gone", (string team, string id) => ids?.Remove((team, id)) == true);
            registered = true;
        }

        context.Execute(
            """
            CREATE TEMP TRIGGER IF NOT EXISTS event_gone_from_writer_memory AFTER DELETE ON main.events BEGIN
                SELECT callscope_event_gone(OLD.team_id, OLD.id);
            END
            """);
        return ids = [.. context.Query<(string, string)>("SELECT team_id, id FROM events WHERE seq > (SELECT seq FROM event_ids_mark)")];
    }

    /// <summary>Whether the connection knows the function the trigger calls.</summary>
    private bool registered;
}
