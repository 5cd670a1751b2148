using Callscope.Core;
using Callscope.Core.Ingest;

namespace Callscope.Data.Writing;

/// <summary>
/// Stores raw events, skipping ids the team already has. SQLite takes one prepared insert per event inside the
/// writer's transaction; PostgreSQL takes the whole batch in two set-based statements (ids, then rows).
/// </summary>
internal static class EventRows
{
    /// <summary>For each event, whether it was new: the events of a team's batch go through the store's dialect.</summary>
    public static bool[] Insert(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events) =>
        context.Dialect.InsertEvents(context, team, rooms, events);

    /// <summary>One compiled insert per event.</summary>
    internal static bool[] InsertPrepared(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events)
    {
        var command = context.Statement(
            """
            INSERT INTO events (team_id, id, room_id, type, ts, received_at, skew_ms, law, law_flags, external_id, connection_id, participant_name, role, data)
            VALUES (@team, @id, @room, @type, @ts, @received, @skew, @law, @flags, @external, @connection, @name, @role, @data)
            ON CONFLICT (team_id, id) DO NOTHING
            """,
            "team", "id", "room", "type", "ts", "received", "skew", "law", "flags", "external", "connection", "name", "role", "data");
        var p = command.Parameters;
        p[0].Value = team.ToString();
        var inserted = new bool[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            p[1].Value = e.Id;
            p[2].Value = rooms[i].ToString();
            p[3].Value = e.Type;
            p[4].Value = DbTime.Ms(e.Timestamp);
            p[5].Value = DbTime.Ms(e.ReceivedAt);
            p[6].Value = e.Skew is { } skew ? (long)skew.TotalMilliseconds : DBNull.Value;
            p[7].Value = LawMapping.IsLawType(e.Type) ? 1 : 0;
            p[8].Value = (long)e.LawFlags;
            p[9].Value = (object?)e.Participant?.ExternalId ?? DBNull.Value;
            p[10].Value = (object?)e.Participant?.ConnectionId ?? DBNull.Value;
            p[11].Value = (object?)e.Participant?.Name ?? DBNull.Value;
            p[12].Value = (object?)e.Participant?.Role ?? DBNull.Value;
            p[13].Value = (object?)e.DataJson ?? DBNull.Value;
            inserted[i] = command.ExecuteNonQuery() == 1;
        }

        return inserted;
    }

    /// <summary>The whole batch in two set-based statements: ids first (which tells the new ones), then the rows.</summary>
    internal static bool[] InsertSetBased(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events)
    {
        var teamText = team.ToString();
        // In one order on every node: two nodes storing the same ids (a client's retry sent to both) wait on each other's
        // ids in turn, never in a cycle.
        var fresh = context.Query<string>(
            "INSERT INTO event_ids (team_id, id) SELECT @team, unnest(@ids) ON CONFLICT DO NOTHING RETURNING id",
            new { team = teamText, ids = events.Select(e => e.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() })
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

        context.Execute(
            """
            INSERT INTO events (team_id, id, room_id, type, ts, received_at, skew_ms, law, law_flags, external_id, connection_id, participant_name, role, data)
            SELECT @team, * FROM unnest(@ids, @rooms, @types, @ts, @received, @skew, @law, @flags, @external, @connection, @name, @role, @data)
            """,
            new
            {
                team = teamText,
                ids = rows.Select(i => events[i].Id).ToArray(),
                rooms = rows.Select(i => rooms[i].ToString()).ToArray(),
                types = rows.Select(i => events[i].Type).ToArray(),
                ts = rows.Select(i => DbTime.Ms(events[i].Timestamp)).ToArray(),
                received = rows.Select(i => DbTime.Ms(events[i].ReceivedAt)).ToArray(),
                skew = rows.Select(i => events[i].Skew is { } skew ? (long?)skew.TotalMilliseconds : null).ToArray(),
                law = rows.Select(i => LawMapping.IsLawType(events[i].Type) ? 1L : 0L).ToArray(),
                flags = rows.Select(i => (long)events[i].LawFlags).ToArray(),
                external = rows.Select(i => events[i].Participant?.ExternalId).ToArray(),
                connection = rows.Select(i => events[i].Participant?.ConnectionId).ToArray(),
                name = rows.Select(i => events[i].Participant?.Name).ToArray(),
                role = rows.Select(i => events[i].Participant?.Role).ToArray(),
                data = rows.Select(i => events[i].DataJson).ToArray(),
            });
        return inserted;
    }
}
