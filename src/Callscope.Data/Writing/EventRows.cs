using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Npgsql;
using NpgsqlTypes;

namespace Callscope.Data.Writing;

/// <summary>
/// Stores raw events, skipping ids the team already has. SQLite takes one prepared insert per event inside the
/// writer's transaction; PostgreSQL takes the whole batch in two steps: the ids in one set-based statement, which
/// tells the new ones, then their rows by binary COPY.
/// </summary>
internal static class EventRows
{
    /// <summary>For each event, whether it was new: the events of a team's batch go through the store's dialect.</summary>
    public static bool[] Insert(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events) =>
        context.Dialect.InsertEvents(context, team, rooms, events);

    /// <summary>
    /// SQLite: one compiled insert per event, skipped when either layer of the id index has the id: the newest ids in
    /// the writer's memory (<see cref="RecentEventIds"/>), or <c>event_id_hashes</c> (see migrations 0020 and 0023: a
    /// hash of the id, then the event it names, compared whole). A stored event's id joins the newest layer.
    /// <para>
    /// The look-up in <c>event_id_hashes</c> is a statement of its own and the insert a plain one-row <c>INSERT … VALUES</c>.
    /// Folded into one <c>INSERT … SELECT … WHERE NOT EXISTS</c>, SQLite takes the insert for one that may write
    /// several rows and opens a statement journal for it inside the command's savepoint: every page the event
    /// touched was copied to a temporary file again, for each event, and the writer ran at two thirds to four fifths
    /// of its rate (docs/benchmarks.md, "Sixth round"). Both run through SQLite's own calls (<see cref="SqliteStatement"/>).
    /// </para>
    /// </summary>
    internal static bool[] InsertPrepared(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events)
    {
        var known = context.SqliteStatement(
            "SELECT 1 FROM event_id_hashes x JOIN events e ON e.seq = x.seq WHERE x.hash = @hash AND e.team_id = @team AND e.id = @id",
            "hash", "team", "id");
        var insert = context.SqliteStatement(
            """
            INSERT INTO events (team_id, id, room_id, type, ts, received_at, skew_ms, law, law_flags, external_id, connection_id, participant_name, role, data)
            VALUES (@team, @id, @room, @type, @ts, @received, @skew, @law, @flags, @external, @connection, @name, @role, @data)
            """,
            "team", "id", "room", "type", "ts", "received", "skew", "law", "flags", "external", "connection", "name", "role", "data");
        var recent = context.RecentIds;
        var teamText = team.ToString();
        // A binding stays across runs of a statement, so the batch's team is set once.
        known.Bind(1, teamText);
        insert.Bind(0, teamText);
        var inserted = new bool[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (recent.Contains(context, teamText, e.Id))
            {
                continue;
            }

            known.Bind(0, EventIdHashes.Of(teamText, e.Id));
            known.Bind(2, e.Id);
            if (known.Run())
            {
                continue;
            }

            insert.Bind(1, e.Id);
            insert.Bind(2, rooms[i].ToString());
            insert.Bind(3, e.Type);
            insert.Bind(4, DbTime.Ms(e.Timestamp));
            insert.Bind(5, DbTime.Ms(e.ReceivedAt));
            insert.Bind(6, e.Skew is { } skew ? (long)skew.TotalMilliseconds : null);
            insert.Bind(7, LawMapping.IsLawType(e.Type) ? 1 : 0);
            insert.Bind(8, (long)e.LawFlags);
            insert.Bind(9, e.Participant?.ExternalId);
            insert.Bind(10, e.Participant?.ConnectionId);
            insert.Bind(11, e.Participant?.Name);
            insert.Bind(12, e.Participant?.Role);
            insert.Bind(13, e.DataJson);
            insert.Run();
            inserted[i] = true;
            recent.Add(teamText, e.Id);
        }

        return inserted;
    }

    /// <summary>The whole batch in two steps: ids first (which tells the new ones), then the new rows by binary COPY.</summary>
    internal static bool[] InsertSetBased(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events)
    {
        var teamText = team.ToString();
        // Each id with the room and time of its first event in the batch (the one stored), in one order on every node:
        // two nodes storing the same ids (a client's retry sent to both) wait on each other's ids in turn, never in a cycle.
        var first = new Dictionary<string, int>(events.Count, StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            first.TryAdd(events[i].Id, i);
        }

        var order = first.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value).ToArray();
        var fresh = context.Query<string>(
            """
            INSERT INTO event_ids (team_id, id, room_id, ts)
            SELECT @team, u.id, u.room, u.ts FROM unnest(@ids, @rooms, @times) WITH ORDINALITY AS u (id, room, ts, ord) ORDER BY u.ord
            ON CONFLICT DO NOTHING RETURNING id
            """,
            new
            {
                team = teamText, ids = order.Select(i => events[i].Id).ToArray(), rooms = order.Select(i => rooms[i].ToString()).ToArray(),
                times = order.Select(i => DbTime.Ms(events[i].Timestamp)).ToArray(),
            })
            .ToHashSet(StringComparer.Ordinal);

        // Within a batch the first occurrence of an id is the one stored.
        var inserted = new bool[events.Count];
        var rows = new List<int>(fresh.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (fresh.Remove(events[i].Id))
            {
                inserted[i] = true;
                rows.Add(i);
            }
        }

        if (rows.Count == 0)
        {
            return inserted;
        }

        // The new rows go by binary COPY: no statement to plan, no arrays to unpack, each value in its wire form.
        using var copy = ((NpgsqlConnection)context.Connection).BeginBinaryImport(
            "COPY events (team_id, id, room_id, type, ts, received_at, skew_ms, law, law_flags, external_id, connection_id, participant_name, role, data) FROM STDIN (FORMAT BINARY)");
        foreach (var i in rows)
        {
            var e = events[i];
            copy.StartRow();
            copy.Write(teamText, NpgsqlDbType.Text);
            copy.Write(e.Id, NpgsqlDbType.Text);
            copy.Write(rooms[i].ToString(), NpgsqlDbType.Text);
            copy.Write(e.Type, NpgsqlDbType.Text);
            copy.Write(DbTime.Ms(e.Timestamp), NpgsqlDbType.Bigint);
            copy.Write(DbTime.Ms(e.ReceivedAt), NpgsqlDbType.Bigint);
            Write(copy, e.Skew is { } skew ? (long)skew.TotalMilliseconds : null);
            copy.Write(LawMapping.IsLawType(e.Type) ? 1L : 0L, NpgsqlDbType.Bigint);
            copy.Write((long)e.LawFlags, NpgsqlDbType.Bigint);
            Write(copy, e.Participant?.ExternalId);
            Write(copy, e.Participant?.ConnectionId);
            Write(copy, e.Participant?.Name);
            Write(copy, e.Participant?.Role);
            Write(copy, e.DataJson);
        }

        copy.Complete();
        return inserted;
    }

    private static void Write(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    private static void Write(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } number)
        {
            copy.Write(number, NpgsqlDbType.Bigint);
        }
        else
        {
            copy.WriteNull();
        }
    }
}
