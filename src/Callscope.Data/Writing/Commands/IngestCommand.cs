using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Rooms;
using Callscope.Data.Telemetry;

namespace Callscope.Data.Writing;

public sealed record EventProblem(int Index, string Field, string Message);

/// <summary>
/// The answer to a batch: stored counts, or the problems that kept it from being stored at all. <see cref="Expired"/>
/// counts events older than their room's history, which retention deleted: they are not stored (see <see cref="RoomHistory"/>).
/// </summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<EventProblem> Problems, int Expired = 0)
{
    public bool Rejected => Problems.Count > 0;
}

/// <summary>
/// Stores a team's batch of events and applies the law to their rooms. Rooms named by <c>friendly_url</c> are created on
/// first use; a room id that does not exist rejects the batch with nothing stored. A repeated event id is a duplicate
/// and counts once.
/// </summary>
public sealed class IngestCommand(TeamId team, IReadOnlyList<IncomingEvent> events) : WriteCommand<IngestResult>
{
    public TeamId Team { get; } = team;

    public IReadOnlyList<IncomingEvent> Events { get; } = events;

    /// <summary>Where the events came from, for the metrics.</summary>
    public IngestSource Source { get; init; }

    internal override int Weight => Events.Count;

    private (CallscopeMetrics Metrics, IngestResult Result)? counted;

    /// <summary>The stored events and duplicates are counted once the transaction has committed.</summary>
    internal override void Commit()
    {
        if (counted is var (metrics, result))
        {
            metrics.EventsStored(Source, result.Accepted, result.Duplicates);
        }

        base.Commit();
    }

    internal override IngestResult Run(WriteContext context)
    {
        var result = Store(context);
        counted = (context.Metrics, result);
        return result;
    }

    private IngestResult Store(WriteContext context)
    {
        var rooms = ResolveRooms(context, out var problems);
        if (problems.Count > 0)
        {
            return new IngestResult(0, 0, problems);
        }

        var (events, horizons) = WithinHistory(context, rooms);
        var fresh = new Dictionary<RoomId, List<LawEvent>>();
        var inserted = EventRows.Insert(context, Team, rooms, events);
        var accepted = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (!inserted[i])
            {
                continue;
            }

            accepted++;
            var at = DbTime.Ms(events[i].Timestamp);
            context.MarkForDiagnosis(Team, rooms[i], at, at);
            if (events[i].ToLaw() is { } law)
            {
                var clipped = RoomHistory.Clip(law, horizons.TryGetValue(rooms[i], out var horizon) ? horizon : null);
                (fresh.TryGetValue(rooms[i], out var list) ? list : fresh[rooms[i]] = []).Add(clipped);
            }
        }

        // Rooms are locked in one order by every node, so two writers never wait on each other in a cycle.
        var versions = context.LockRooms([.. fresh.Keys.Select(room => (Team, room))]);
        foreach (var (room, law) in fresh.OrderBy(r => r.Key.Value))
        {
            RoomRecompute.Apply(context, Team, room, law, versions[room]);
        }

        if (accepted > 0)
        {
            context.ChangedTeams.Add(Team);
        }

        var expired = Events.Count - events.Count;
        return new IngestResult(accepted, events.Count - accepted, [], expired);
    }

    /// <summary>
    /// The batch without the events older than their room's history (<paramref name="rooms"/> is narrowed alike), and the
    /// horizons of the rooms that have one. Only a batch with an event (or a leave's join time) at least a day old looks.
    /// </summary>
    private (IReadOnlyList<IncomingEvent> Events, Dictionary<RoomId, long> Horizons) WithinHistory(WriteContext context, List<RoomId> rooms)
    {
        var recent = context.Now - RoomHistory.Unaffected;
        var old = Enumerable.Range(0, Events.Count)
            .Where(i => Events[i].Timestamp < recent || (Events[i].Type == Core.Events.EventTypes.ParticipantLeft && Events[i].ReadFacts().JoinedAt < recent))
            .Select(i => rooms[i]).ToHashSet();
        if (old.Count == 0)
        {
            return (Events, []);
        }

        var horizons = RoomHistory.Of(context, Team, old);
        if (horizons.Count == 0)
        {
            return (Events, horizons);
        }

        var kept = new List<IncomingEvent>(Events.Count);
        var keptRooms = new List<RoomId>(Events.Count);
        for (var i = 0; i < Events.Count; i++)
        {
            if (!(horizons.TryGetValue(rooms[i], out var horizon) && DbTime.Ms(Events[i].Timestamp) < horizon))
            {
                kept.Add(Events[i]);
                keptRooms.Add(rooms[i]);
            }
        }

        rooms.Clear();
        rooms.AddRange(keptRooms);
        return (kept, horizons);
    }

    private List<RoomId> ResolveRooms(WriteContext context, out List<EventProblem> problems)
    {
        problems = [];
        var byId = new Dictionary<Guid, bool>();
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i].Room.Id is not { } id)
            {
                continue;
            }

            if (!byId.TryGetValue(id.Value, out var exists))
            {
                exists = context.Scalar<long>(
                    "SELECT COUNT(*) FROM rooms WHERE id = @id AND team_id = @team AND deleted_at IS NULL",
                    new { id = id.ToString(), team = Team.ToString() }) > 0;
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
        var names = Events.Where(e => e.Room.Id is null).Select(e => e.Room.FriendlyUrl!).Distinct(StringComparer.Ordinal).ToArray();
        var byName = names.Length == 0 ? new Dictionary<string, RoomId>(StringComparer.Ordinal) : context.Dialect.FindRooms(context, Team, names);

        // New rooms are created in name order, as every node does: two nodes creating the same rooms at once wait on
        // each other's names in turn, never in a cycle. Each takes the settings of the first event that names it.
        var created = Events.Where(e => e.Room.Id is null && !byName.ContainsKey(e.Room.FriendlyUrl!))
            .DistinctBy(e => e.Room.FriendlyUrl!, StringComparer.Ordinal).OrderBy(e => e.Room.FriendlyUrl!, StringComparer.Ordinal).ToList();
        foreach (var e in created)
        {
            byName[e.Room.FriendlyUrl!] = CreateRoom(context, e.Room);
        }

        var resolved = new List<RoomId>(Events.Count);
        foreach (var e in Events)
        {
            if (e.Room.Id is { } id)
            {
                resolved.Add(id);
                continue;
            }

            resolved.Add(byName[e.Room.FriendlyUrl!]);
        }

        return resolved;
    }

    private RoomId CreateRoom(WriteContext context, RoomRef reference)
    {
        var (room, created) = CreateRoomCommand.Insert(context, Team,
            new RoomSettings(reference.FriendlyUrl!, reference.Description, reference.ExternalId, null, null, null));
        if (created)
        {
            // Created here (not by another node at the same moment), so it has no history: its law starts empty under
            // its settings, and its first events take the fast path instead of being read back and replayed.
            context.TouchedRooms.Add(room.Id);
            context.States.Put(Team, room.Id, RoomLaw.Replay([], RoomRecompute.LoadPolicy(context, room.Id)), 0);
        }

        return room.Id;
    }
}
