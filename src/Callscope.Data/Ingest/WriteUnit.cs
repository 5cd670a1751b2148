using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Rooms;
using Dapper;
using System.Data.Common;

namespace Callscope.Data.Ingest;

/// <summary>One transaction of the writer: the commands it holds run one after another inside it.</summary>
internal sealed class WriteUnit(
    CallscopeDatabase database, DbConnection connection, WriterStatements statements, DbTransaction tx, RoomStates states, DateTimeOffset now)
{
    /// <summary>Rooms whose cached state this unit changed: forgotten if the transaction does not commit.</summary>
    public HashSet<RoomId> TouchedRooms { get; } = [];

    /// <summary>Teams whose data changed, for live updates.</summary>
    public HashSet<TeamId> ChangedTeams { get; } = [];

    /// <summary>Session and participant rows the running command wrote, until <see cref="Finish"/>.</summary>
    private readonly SessionRows held = new();

    /// <summary>Rooms whose law version the running command bumps at <see cref="Finish"/>, with their new state.</summary>
    private readonly List<(TeamId Team, RoomId Room, RoomSweep Sweep)> bumps = [];

    /// <summary>
    /// Ends a command: writes the rows it held back and bumps its rooms' versions, each in one statement on
    /// PostgreSQL, so that a command costs a few round trips rather than a few per room.
    /// </summary>
    public void Finish()
    {
        held.Flush(connection, statements, tx);
        if (bumps.Count == 0)
        {
            return;
        }

        if (database.Provider == DatabaseProvider.Postgres)
        {
            var bumped = connection.Query<(string Id, long Version)>(
                    """
                    UPDATE rooms r SET law_version = r.law_version + 1 FROM unnest(@teams, @ids) AS u (team_id, id)
                    WHERE r.team_id = u.team_id AND r.id = u.id RETURNING r.id, r.law_version
                    """,
                    new { teams = bumps.Select(b => b.Team.ToString()).ToArray(), ids = bumps.Select(b => b.Room.ToString()).ToArray() }, tx)
                .ToDictionary(r => r.Id, r => r.Version, StringComparer.Ordinal);
            foreach (var (team, room, sweep) in bumps)
            {
                states.Put(team, room, sweep, bumped[room.ToString()]);
            }
        }
        else
        {
            foreach (var (team, room, sweep) in bumps)
            {
                states.Put(team, room, sweep, RoomVersion("UPDATE rooms SET law_version = law_version + 1 WHERE team_id = @team AND id = @room RETURNING law_version", team, room));
            }
        }

        bumps.Clear();
    }

    /// <summary>The command failed and its savepoint is rolled back: nothing it held back may be written.</summary>
    public void Discard()
    {
        held.Clear();
        bumps.Clear();
    }

    public IngestResult Ingest(TeamId team, IReadOnlyList<IncomingEvent> events)
    {
        var rooms = ResolveRooms(team, events, out var problems);
        if (problems.Count > 0)
        {
            return new IngestResult(0, 0, problems);
        }

        var fresh = new Dictionary<RoomId, List<LawEvent>>();
        var inserted = EventRows.Insert(database, connection, statements, tx, team, rooms, events);
        var accepted = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (!inserted[i])
            {
                continue;
            }

            accepted++;
            if (events[i].ToLaw() is { } law)
            {
                (fresh.TryGetValue(rooms[i], out var list) ? list : fresh[rooms[i]] = []).Add(law);
            }
        }

        // Rooms are locked in one order by every node, so two writers never wait on each other in a cycle.
        var versions = LockRooms([.. fresh.Keys.Select(room => (team, room))]);
        foreach (var (room, law) in fresh.OrderBy(r => r.Key.Value))
        {
            Apply(team, room, law, versions[room]);
        }

        if (accepted > 0)
        {
            ChangedTeams.Add(team);
        }

        return new IngestResult(accepted, events.Count - accepted, []);
    }

    public EndOutcome EndSession(TeamId team, string sessionId, string endedBy)
    {
        var found = connection.QuerySingleOrDefault<(string Id, string RoomId)?>(
            """
            SELECT s.id, s.room_id FROM sessions s
            WHERE s.team_id = @team AND s.id = COALESCE((SELECT session_id FROM session_aliases WHERE alias_id = @sessionId AND team_id = @team), @sessionId)
            """,
            new { team = team.ToString(), sessionId }, tx);
        if (found is not { } row)
        {
            return EndOutcome.NotFound;
        }

        var room = new RoomId(Guid.Parse(row.RoomId));
        var state = State(team, room);
        if (state.CurrentAt(now) is not { End: null, Id: { } live } || live.ToString() != row.Id)
        {
            return EndOutcome.NotLive;
        }

        EndLiveSession(team, room, endedBy);
        return EndOutcome.Ended;
    }

    public bool DeleteRoom(TeamId team, RoomId room, string deletedBy)
    {
        if (connection.QuerySingleOrDefault<string>("SELECT id FROM rooms WHERE id = @id AND team_id = @team AND deleted_at IS NULL",
                new { id = room.ToString(), team = team.ToString() }, tx) is null)
        {
            return false;
        }

        if (State(team, room).CurrentAt(now) is { End: null })
        {
            EndLiveSession(team, room, deletedBy);
            // The ended session is stored and the room's version bumped before the room goes.
            Finish();
        }

        var history = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {database.EventsOfRoom("@id")} e WHERE e.room_id = @id", new { id = room.ToString() }, tx);
        connection.Execute(
            history > 0 ? "UPDATE rooms SET deleted_at = @now, updated_at = @now WHERE id = @id" : "DELETE FROM rooms WHERE id = @id",
            new { id = room.ToString(), now = DbTime.Ms(now) }, tx);
        states.Forget(room);
        ChangedTeams.Add(team);
        return true;
    }

    public void Reconfigure(TeamId team, RoomId? only)
    {
        var rooms = connection.Query<string>(
            "SELECT DISTINCT room_id FROM sessions WHERE team_id = @team AND end_time IS NULL AND (@room IS NULL OR room_id = @room)",
            new { team = team.ToString(), room = only?.ToString() }, tx).Select(r => new RoomId(Guid.Parse(r))).ToList();
        foreach (var cached in states.OfTeam(team).Where(r => only is null || r == only))
        {
            if (!rooms.Contains(cached))
            {
                rooms.Add(cached);
            }
        }

        foreach (var room in rooms)
        {
            var state = State(team, room);
            state.Reconfigure(LoadPolicy(room), now);
            WriteTouched(team, room, state);
            BumpVersion(team, room, state);
        }

        ChangedTeams.Add(team);
    }

    public int ExpireDue()
    {
        // SKIP LOCKED: when several nodes sweep at once, each due session is taken by exactly one of them.
        var due = connection.Query<(string Team, string Room)>(
            database.Provider == DatabaseProvider.Postgres
                ? "SELECT team_id, room_id FROM sessions WHERE end_time IS NULL AND deadline <= @now ORDER BY room_id LIMIT 1000 FOR UPDATE SKIP LOCKED"
                : "SELECT team_id, room_id FROM sessions WHERE end_time IS NULL AND deadline <= @now LIMIT 1000",
            new { now = DbTime.Ms(now) }, tx).Distinct().Select(d => (Team: new TeamId(Guid.Parse(d.Team)), Room: new RoomId(Guid.Parse(d.Room)))).ToList();
        var versions = LockRooms(due);
        foreach (var (team, room) in due)
        {
            var state = State(team, room, versions[room]);
            if (state.Current is { } current)
            {
                state.MarkTouched(current);
            }

            WriteTouched(team, room, state);
            if (state.CurrentAt(now) is null or { End: not null })
            {
                // Nothing live is left: the room's state is rebuilt from its events when it is next needed.
                states.Forget(room);
            }

            ChangedTeams.Add(team);
        }

        return due.Count;
    }

    public int IndexRooms()
    {
        if (database.Provider != DatabaseProvider.Sqlite)
        {
            return 0;
        }

        var copied = connection.Execute(
            "INSERT INTO event_rooms (room_id, ts, seq) SELECT room_id, ts, seq FROM events WHERE seq > (SELECT seq FROM event_rooms_mark) ORDER BY room_id, ts, seq",
            transaction: tx);
        connection.Execute("UPDATE event_rooms_mark SET seq = COALESCE((SELECT MAX(seq) FROM events), seq)", transaction: tx);
        return copied;
    }

    private void EndLiveSession(TeamId team, RoomId room, string endedBy)
    {
        // The log keeps "_source": "api" in the data, as it always has; the law reads the flag.
        var end = new IncomingEvent(
            "api-end-" + Guid.CreateVersion7(now).ToString("N"), EventTypes.SessionEnded, now, now, null, new RoomRef(room, null), null,
            $$"""{"_source":"api","ended_by":{{System.Text.Json.JsonSerializer.Serialize(endedBy)}}}""")
        {
            Facts = new LawFacts(LawFlags.ApiEnd) { EndedBy = endedBy },
        };
        EventRows.Insert(database, connection, statements, tx, team, [room], [end]);
        Apply(team, room, [end.ToLaw()!]);
        ChangedTeams.Add(team);
    }

    /// <param name="version">The room's version when the caller has already locked it.</param>
    private RoomSweep State(TeamId team, RoomId room, long? version = null)
    {
        TouchedRooms.Add(room);
        version ??= LockRoom(team, room);
        if (!states.TryGet(room, version.Value, out var sweep))
        {
            sweep = Rebuild(team, room);
            sweep.TakeTouched();
            sweep.ReleaseEnded();
            states.Put(team, room, sweep, version.Value);
        }

        return sweep;
    }

    /// <summary>
    /// Serialises writers of one room across nodes (a row lock on PostgreSQL; SQLite has one writer anyway) and
    /// returns the room's law version, which tells whether this node's memory of the room is still current.
    /// </summary>
    private long LockRoom(TeamId team, RoomId room) => RoomVersion(
        database.Provider == DatabaseProvider.Postgres
            ? "SELECT law_version FROM rooms WHERE team_id = @team AND id = @room FOR UPDATE"
            : "SELECT law_version FROM rooms WHERE team_id = @team AND id = @room",
        team, room);

    /// <summary>
    /// Locks several rooms at once and returns their law versions: on PostgreSQL in one statement, taking the row
    /// locks in id order as <see cref="LockRoom"/> callers do.
    /// </summary>
    private Dictionary<RoomId, long> LockRooms(IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms)
    {
        if (database.Provider != DatabaseProvider.Postgres || rooms.Count < 2)
        {
            return rooms.ToDictionary(r => r.Room, r => LockRoom(r.Team, r.Room));
        }

        return connection.Query<(string Id, long Version)>(
                """
                SELECT r.id, r.law_version FROM rooms r JOIN unnest(@teams, @ids) AS u (team_id, id) ON r.team_id = u.team_id AND r.id = u.id
                ORDER BY r.id FOR UPDATE OF r
                """,
                new { teams = rooms.Select(r => r.Team.ToString()).ToArray(), ids = rooms.Select(r => r.Room.ToString()).ToArray() }, tx)
            .ToDictionary(r => new RoomId(Guid.Parse(r.Id)), r => r.Version);
    }

    /// <summary>Runs one of the writer's statements on a room row and reads back its law version.</summary>
    private long RoomVersion(string sql, TeamId team, RoomId room) => Convert.ToInt64(
        WriterStatements.Bind(statements.For(sql, tx, "team", "room"), team.ToString(), room.ToString()).ExecuteScalar(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Records that the room's sessions changed, so other nodes rebuild their memory of it; done at <see cref="Finish"/>,
    /// which keeps the room's state under its new version.
    /// </summary>
    private void BumpVersion(TeamId team, RoomId room, RoomSweep sweep) => bumps.Add((team, room, sweep));

    /// <summary>The fast path appends events that come after everything the room has seen; otherwise the room is recomputed.</summary>
    private void Apply(TeamId team, RoomId room, List<LawEvent> law, long? lockedVersion = null)
    {
        TouchedRooms.Add(room);
        ChangedTeams.Add(team);
        law.Sort((a, b) => a.Order.CompareTo(b.Order));
        var version = lockedVersion ?? LockRoom(team, room);
        if (states.TryGet(room, version, out var sweep) && law.TrueForAll(e => TryAppend(sweep, e)))
        {
            WriteTouched(team, room, sweep);
            BumpVersion(team, room, sweep);
            return;
        }

        // Rebuilding reads the events this unit has just stored, so it includes them. Nothing before the earliest
        // of them can change: the law is a sweep in time order.
        var rebuilt = Rebuild(team, room);
        var since = law.Min(e => e.JoinedAt is { } j && j < e.Time ? j : e.Time);
        RewriteFrom(team, room, rebuilt, since);
        BumpVersion(team, room, rebuilt);
    }

    private static bool TryAppend(RoomSweep sweep, LawEvent e)
    {
        if (!sweep.CanAppend(e))
        {
            return false;
        }

        sweep.Append(e);
        return true;
    }

    /// <summary>Replays a room's stored events; sessions keep the ids they are stored under.</summary>
    private RoomSweep Rebuild(TeamId team, RoomId room)
    {
        // What it reads and rewrites must include what this command has written so far.
        held.Flush(connection, statements, tx);
        var rows = connection.Query<(string Id, string Type, long Ts, long Flags, string? ExternalId, string? ConnectionId, string? Name, string? Role, string? Data)>(
            // Only the law's events: SQLite's planner would otherwise walk every event of the room (samples included).
            database.Provider == DatabaseProvider.Sqlite
                ? "SELECT id, type, ts, law_flags, external_id, connection_id, participant_name, role, data FROM events INDEXED BY events_law WHERE team_id = @team AND room_id = @room AND law = 1"
                : "SELECT id, type, ts, law_flags, external_id, connection_id, participant_name, role, data FROM events WHERE team_id = @team AND room_id = @room AND law = 1",
            new { team = team.ToString(), room = room.ToString() }, tx);
        var law = rows.Select(r => LawMapping.Map(r.Id, r.Type, DbTime.At(r.Ts), r.ExternalId, r.ConnectionId, r.Name, r.Role,
            LawFacts.Parse(r.Type, r.Data, (LawFlags)r.Flags))!);
        var sweep = RoomLaw.Replay(law, LoadPolicy(room));
        var (aliases, _) = SessionIdentity.Assign(sweep.Sessions, StoredSpans(team, room));
        foreach (var alias in aliases)
        {
            var ids = new { from = alias.Absorbed.ToString(), team = team.ToString(), to = alias.Survivor.ToString() };
            connection.Execute("UPDATE session_aliases SET session_id = @to WHERE team_id = @team AND session_id = @from", ids, tx);
            connection.Execute(
                "INSERT INTO session_aliases (team_id, alias_id, session_id) VALUES (@team, @from, @to) ON CONFLICT (team_id, alias_id) DO UPDATE SET session_id = excluded.session_id",
                ids, tx);
        }

        return sweep;
    }

    private List<StoredSpan> StoredSpans(TeamId team, RoomId room) => [.. connection.Query<(string Id, long Start, long? End)>(
            "SELECT id, start_time, end_time FROM sessions WHERE team_id = @team AND room_id = @room", new { team = team.ToString(), room = room.ToString() }, tx)
        .Select(s => new StoredSpan(new SessionId(Guid.Parse(s.Id)), DbTime.At(s.Start), DbTime.At(s.End)))];

    private RoomPolicy LoadPolicy(RoomId room)
    {
        var p = connection.QuerySingle<(long TeamGrace, long? TeamLength, long? RoomGrace, long? RoomLength)>(
            "SELECT t.grace_period, t.session_length, r.grace_period, r.session_length FROM rooms r JOIN teams t ON t.id = r.team_id WHERE r.id = @room",
            new { room = room.ToString() }, tx);
        return RoomPolicy.Resolve((int)p.TeamGrace, (int?)p.TeamLength, (int?)p.RoomGrace, (int?)p.RoomLength);
    }

    /// <summary>
    /// Writes a recomputed room from <paramref name="since"/> on: sessions stored as ended before it are final and
    /// stay as they are; every other stored session of the room is replaced by what the law computes now.
    /// </summary>
    private void RewriteFrom(TeamId team, RoomId room, RoomSweep sweep, DateTimeOffset since)
    {
        var final = StoredSpans(team, room).Where(s => s.End is { } end && end < since).Select(s => s.Id).ToHashSet();
        var roomText = room.ToString();
        var cutoff = DbTime.Ms(since);
        connection.Execute(
            // Session ids are unique across teams; naming the team here would lead the planner to walk all its participants.
            "DELETE FROM participants WHERE session_id IN (SELECT id FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff))",
            new { team = team.ToString(), roomText, cutoff }, tx);
        connection.Execute("DELETE FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff)",
            new { team = team.ToString(), roomText, cutoff }, tx);
        foreach (var s in sweep.Sessions)
        {
            s.Id ??= SessionId.New(s.Start);
        }

        foreach (var s in sweep.ViewAt(now).Where(s => !final.Contains(s.Id!.Value)).OrderBy(s => s.Start))
        {
            held.Add(team, room, s);
        }

        sweep.TakeTouched();
        sweep.ReleaseEnded();
    }

    private void WriteTouched(TeamId team, RoomId room, RoomSweep sweep)
    {
        // Oldest first: a session that ended must be stored as ended before its successor is stored as live.
        foreach (var s in sweep.TakeTouched().OrderBy(s => s.Start))
        {
            s.Id ??= SessionId.New(s.Start);
            var view = ReferenceEquals(s, sweep.Current) ? sweep.CurrentAt(now)! : s;
            held.Add(team, room, view);
        }

        sweep.ReleaseEnded();
    }

    private List<RoomId> ResolveRooms(TeamId team, IReadOnlyList<IncomingEvent> events, out List<EventProblem> problems)
    {
        problems = [];
        var byId = new Dictionary<Guid, bool>();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Room.Id is not { } id)
            {
                continue;
            }

            if (!byId.TryGetValue(id.Value, out var exists))
            {
                exists = connection.ExecuteScalar<long>(
                    "SELECT COUNT(*) FROM rooms WHERE id = @id AND team_id = @team AND deleted_at IS NULL",
                    new { id = id.ToString(), team = team.ToString() }, tx) > 0;
                byId[id.Value] = exists;
            }

            if (!exists)
            {
                problems.Add(new EventProblem(i, "room.id", $"No room with id {id} exists in this team."));
            }
        }

        if (problems.Count > 0)
        {
            return [];
        }

        // One look-up for every room the batch names; rooms named for the first time are created.
        var names = events.Where(e => e.Room.Id is null).Select(e => e.Room.FriendlyUrl!).Distinct(StringComparer.Ordinal).ToArray();
        var byName = FindRooms(team, names);
        var resolved = new List<RoomId>(events.Count);
        foreach (var e in events)
        {
            if (e.Room.Id is { } id)
            {
                resolved.Add(id);
                continue;
            }

            var name = e.Room.FriendlyUrl!;
            if (!byName.TryGetValue(name, out var room))
            {
                room = CreateRoom(team, e.Room);
                byName[name] = room;
            }

            resolved.Add(room);
        }

        return resolved;
    }

    /// <summary>
    /// The rooms with these names. PostgreSQL looks all of them up in one statement (one round trip); SQLite runs
    /// one compiled look-up per name, cheaper in-process than compiling a new statement for every list.
    /// </summary>
    private Dictionary<string, RoomId> FindRooms(TeamId team, string[] names)
    {
        if (names.Length == 0)
        {
            return new Dictionary<string, RoomId>(StringComparer.Ordinal);
        }

        if (database.Provider == DatabaseProvider.Postgres)
        {
            return connection.Query<(string Id, string Name)>(
                    $"SELECT id, friendly_url FROM rooms WHERE team_id = @team AND deleted_at IS NULL AND {database.InList("friendly_url", "names")}",
                    new { team = team.ToString(), names }, tx)
                .ToDictionary(r => r.Name, r => new RoomId(Guid.Parse(r.Id)), StringComparer.Ordinal);
        }

        var found = new Dictionary<string, RoomId>(names.Length, StringComparer.Ordinal);
        var lookup = statements.For("SELECT id FROM rooms WHERE team_id = @team AND friendly_url = @name AND deleted_at IS NULL", tx, "team", "name");
        foreach (var name in names)
        {
            if (WriterStatements.Bind(lookup, team.ToString(), name).ExecuteScalar() is string id)
            {
                found[name] = new RoomId(Guid.Parse(id));
            }
        }

        return found;
    }

    private RoomId CreateRoom(TeamId team, RoomRef reference)
    {
        var room = new Room(new RoomId(Guid.CreateVersion7(now)), team, reference.FriendlyUrl!, reference.Description, reference.ExternalId,
            null, null, null, now, now, null);
        RoomStore.Insert(connection, tx, room);
        var stored = RoomStore.Find(connection, tx, team, room.FriendlyUrl)!.Id;
        if (stored == room.Id)
        {
            // Created here (not by another node at the same moment), so it has no history: its law starts empty under
            // its settings, and its first events take the fast path instead of being read back and replayed.
            TouchedRooms.Add(stored);
            states.Put(team, stored, RoomLaw.Replay([], LoadPolicy(stored)), 0);
        }

        return stored;
    }
}
