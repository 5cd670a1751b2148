using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Sessions;
using Callscope.Data.Webhooks;
using Dapper;

namespace Callscope.Data.Writing;

/// <summary>What an erasure changed, for its answer.</summary>
public sealed record ErasureCounts(int Rooms, int Sessions, int Participants, int EventsAnonymised, int EventsDeleted, int Issues, int WebhookDeliveries)
{
    public static readonly ErasureCounts None = new(0, 0, 0, 0, 0, 0, 0);
}

public enum ErasureOutcome
{
    Erased,
    NotFound,

    /// <summary>The session, the room's session or the person is live: nothing changed.</summary>
    Live,
}

public sealed record ErasureResult(ErasureOutcome Outcome, ErasureCounts Counts)
{
    public static readonly ErasureResult NotFound = new(ErasureOutcome.NotFound, ErasureCounts.None);
    public static readonly ErasureResult Live = new(ErasureOutcome.Live, ErasureCounts.None);
}

/// <summary>
/// Erases participants' personal data from a team's history (docs/api.md, deleting history) inside a command's
/// savepoint. The law's events of an erased participant stay, because every session is a function of them, but under a
/// placeholder identity (one per person and erasure, so they still pair exactly as before), without a name and with only
/// the data the law reads; the events the statistics count (media, recording, chat) stay the same way; every other event
/// of theirs goes. All of them are flagged <see cref="LawFlags.Erased"/>, so they belong to no events log, and the law
/// shows their records as <see cref="ParticipantRecord.ErasedName"/> with no external id. The rooms are then replayed
/// from their stored events, which keeps every session's id, times and counts, and no replay later can bring a name back.
/// </summary>
internal sealed class Erasure(WriteContext context, TeamId team)
{
    /// <summary>Before and after this instant, as the store keeps times.</summary>
    private const long Always = long.MaxValue;

    private readonly string teamText = team.ToString();
    private readonly HashSet<string> sessions = new(StringComparer.Ordinal);
    private readonly HashSet<RoomId> rooms = [];
    private int participants;
    private int anonymised;
    private int deleted;
    private int issues;
    private int deliveries;

    /// <summary>One stored participant record to erase.</summary>
    private sealed record Target(string Id, string SessionId, string Pkey, string? ExternalId, string Connections, string RoomId);

    /// <summary>Erases the participants of one ended session.</summary>
    public ErasureResult Session(string sessionId)
    {
        var found = context.Single<(string Id, string RoomId, long Start)?>(
            """
            SELECT s.id, s.room_id, s.start_time FROM sessions s
            WHERE s.team_id = @team AND s.id = COALESCE((SELECT session_id FROM session_aliases WHERE alias_id = @sessionId AND team_id = @team), @sessionId)
            """,
            new { team = teamText, sessionId });
        if (found is not { } session)
        {
            return ErasureResult.NotFound;
        }

        var room = new RoomId(Guid.Parse(session.RoomId));
        if (RoomRecompute.State(context, team, room).CurrentAt(context.Now) is { End: null, Id: { } live } && live.ToString() == session.Id)
        {
            return ErasureResult.Live;
        }

        var windows = Windows(room);
        var window = windows[session.Id];
        var targets = Targets("p.session_id = @session", new { session = session.Id });
        var since = DbTime.At(session.Start);
        var renames = new Dictionary<string, (long From, long Until)>(StringComparer.Ordinal);
        foreach (var x in targets.Select(t => t.ExternalId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            // Without connection ids, the law pairs a person's events by identity across sessions: then the person's
            // whole history in the room takes the placeholder, so that the pairing stays exactly as it was.
            var pairedAcross = context.Scalar<long>(
                $"""
                SELECT COUNT(*) FROM {context.Dialect.EventsOfRoom("@room")} e
                WHERE e.room_id = @room AND e.team_id = @team AND e.external_id = @x AND e.law = 1 AND e.connection_id IS NULL
                  AND (e.ts < @from OR e.ts >= @until)
                """,
                new { room = room.ToString(), team = teamText, x, from = window.From, until = window.Until }) > 0;
            renames[x] = pairedAcross ? (-Always, Always) : window;
            if (pairedAcross)
            {
                since = DateTimeOffset.MinValue;
            }
        }

        Erase(room, targets, renames, windows, since);
        return Done();
    }

    /// <summary>Erases every participant of a room that has no live session.</summary>
    public ErasureResult Room(RoomId room)
    {
        if (RoomRecompute.State(context, team, room).CurrentAt(context.Now) is { End: null })
        {
            return ErasureResult.Live;
        }

        var targets = Targets("p.room_id = @room", new { room = room.ToString() });
        var renames = targets.Select(t => t.ExternalId).OfType<string>().Distinct(StringComparer.Ordinal)
            .ToDictionary(x => x, _ => (-Always, Always), StringComparer.Ordinal);
        Erase(room, targets, renames, Windows(room), DateTimeOffset.MinValue);
        return Done();
    }

    /// <summary>Erases one person (an external id) across the team's history, unless the person is in a live session now.</summary>
    public ErasureResult Person(string externalId)
    {
        var targets = Targets("p.external_id = @x", new { x = externalId });
        var roomIds = context.Query<string>("SELECT DISTINCT room_id FROM events WHERE team_id = @team AND external_id = @x", new { team = teamText, x = externalId })
            .Concat(targets.Select(t => t.RoomId))
            .Distinct(StringComparer.Ordinal).Select(r => new RoomId(Guid.Parse(r))).ToList();
        var versions = context.LockRooms([.. roomIds.Select(r => (team, r))]);
        foreach (var room in roomIds)
        {
            if (RoomRecompute.State(context, team, room, versions[room]).CurrentAt(context.Now) is { End: null } live
                && live.Participants.Exists(p => p.ExternalId == externalId))
            {
                return ErasureResult.Live;
            }
        }

        var renames = new Dictionary<string, (long, long)>(StringComparer.Ordinal) { [externalId] = (-Always, Always) };
        foreach (var room in roomIds)
        {
            var roomText = room.ToString();
            Erase(room, [.. targets.Where(t => t.RoomId == roomText)], renames, Windows(room), DateTimeOffset.MinValue);
        }

        return Done();
    }

    private ErasureResult Done() =>
        new(ErasureOutcome.Erased, new ErasureCounts(rooms.Count, sessions.Count, participants, anonymised, deleted, issues, deliveries));

    private List<Target> Targets(string condition, object parameters)
    {
        var p = new Dapper.DynamicParameters(parameters);
        p.Add("team", teamText);
        return [.. context.Query<Target>(
            $"SELECT p.id AS Id, p.session_id AS SessionId, p.pkey AS Pkey, p.external_id AS ExternalId, p.connections AS Connections, p.room_id AS RoomId FROM participants p WHERE p.team_id = @team AND {condition}",
            p)];
    }

    /// <summary>Each stored session of the room with the stretch of time whose events are its: from its start to the next one's.</summary>
    private Dictionary<string, (long From, long Until)> Windows(RoomId room)
    {
        var starts = context.Query<(string Id, long Start)>("SELECT id, start_time FROM sessions WHERE team_id = @team AND room_id = @room ORDER BY start_time, id",
            new { team = teamText, room = room.ToString() }).ToList();
        var windows = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        for (var i = 0; i < starts.Count; i++)
        {
            windows[starts[i].Id] = (starts[i].Start, i + 1 < starts.Count ? starts[i + 1].Start : Always);
        }

        return windows;
    }

    private sealed record EventRow(long Seq, long Ts, string Id, string Type, long Law, string? ExternalId, string? Data);

    /// <param name="renames">Each identity to erase, with the stretch of the room's events in which it takes a placeholder.</param>
    /// <param name="windows">The stretch of events of each of the room's sessions.</param>
    /// <param name="since">Where the room's sessions are stored again from.</param>
    private void Erase(RoomId room, IReadOnlyList<Target> targets, IReadOnlyDictionary<string, (long From, long Until)> renames,
        IReadOnlyDictionary<string, (long From, long Until)> windows, DateTimeOffset since)
    {
        var roomText = room.ToString();
        var placeholders = renames.Keys.ToDictionary(x => x, _ => "erased:" + Guid.NewGuid().ToString("N"), StringComparer.Ordinal);
        var found = new Dictionary<long, EventRow>();
        void Add(IEnumerable<EventRow> rows)
        {
            foreach (var row in rows)
            {
                found.TryAdd(row.Seq, row);
            }
        }

        const string Columns = "e.seq AS Seq, e.ts AS Ts, e.id AS Id, e.type AS Type, e.law AS Law, e.external_id AS ExternalId, e.data AS Data";
        var events = context.Dialect.EventsOfRoom("@room");
        foreach (var (x, (from, until)) in renames)
        {
            Add(context.Query<EventRow>(
                $"SELECT {Columns} FROM {events} e WHERE e.room_id = @room AND e.team_id = @team AND e.external_id = @x AND e.ts >= @from AND e.ts < @until",
                new { room = roomText, team = teamText, x, from, until }));
        }

        foreach (var target in targets)
        {
            var connections = JsonSerializer.Deserialize<List<StoredConnection>>(target.Connections)!
                .Select(c => c.ConnectionId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            var (from, until) = windows.TryGetValue(target.SessionId, out var w) ? w : (-Always, Always);
            if (connections.Length > 0)
            {
                Add(context.Query<EventRow>(
                    $"""
                    SELECT {Columns} FROM {events} e WHERE e.room_id = @room AND e.team_id = @team AND e.external_id IS NULL
                      AND {context.Dialect.InList("e.connection_id", "connections")} AND e.ts >= @from AND e.ts < @until
                    """,
                    new { room = roomText, team = teamText, connections, from, until }));
            }

            // A record with neither identity nor connection id is one event's own: its key names that event.
            if (target.Pkey.StartsWith("e:", StringComparison.Ordinal))
            {
                var byId = new DynamicParameters();
                Add(context.Query<EventRow>($"SELECT {Columns} FROM {context.Dialect.EventById(byId, teamText, target.Pkey[2..], roomText)} e", byId));
            }

            sessions.Add(target.SessionId);
        }

        var updates = new List<object>();
        var removals = new List<object>();
        foreach (var row in found.Values)
        {
            var external = row.ExternalId is { } x && placeholders.TryGetValue(x, out var placeholder) ? placeholder : row.ExternalId;
            if (row.Type is EventTypes.ParticipantJoined or EventTypes.ParticipantLeft || (row.Law == 0 && SessionActivity.Types.Contains(row.Type)))
            {
                updates.Add(new { team = teamText, ts = row.Ts, seq = row.Seq, external, data = Scrub(row.Type, row.Data), flags = (long)LawFlags.Erased });
            }
            else if (row.Law == 1)
            {
                // A session end or a room close that names the person: the law needs it, no log hides it.
                updates.Add(new { team = teamText, ts = row.Ts, seq = row.Seq, external, data = EndedBy(row.Data, renames.Keys), flags = 0L });
            }
            else
            {
                removals.Add(new { team = teamText, ts = row.Ts, seq = row.Seq });
            }
        }

        // Session ends that name an erased person as who ended them, without being that person's events.
        var ends = context.Query<EventRow>(
            $"SELECT {Columns} FROM {events} e WHERE e.room_id = @room AND e.team_id = @team AND e.type = @type AND e.data IS NOT NULL",
            new { room = roomText, team = teamText, type = EventTypes.SessionEnded });
        foreach (var end in ends.Where(e => !found.ContainsKey(e.Seq)))
        {
            var (from, until) = renames.Count == 0 ? (0, 0) : (renames.Values.Min(r => r.From), renames.Values.Max(r => r.Until));
            if (end.Ts >= from && end.Ts < until && EndedBy(end.Data, renames.Keys) is var data && data != end.Data)
            {
                updates.Add(new { team = teamText, ts = end.Ts, seq = end.Seq, external = end.ExternalId, data, flags = 0L });
            }
        }

        if (updates.Count > 0)
        {
            context.Execute(
                "UPDATE events SET external_id = @external, participant_name = NULL, data = @data, law_flags = law_flags | @flags WHERE team_id = @team AND ts = @ts AND seq = @seq",
                updates);
        }

        if (removals.Count > 0)
        {
            context.Execute("DELETE FROM events WHERE team_id = @team AND ts = @ts AND seq = @seq", removals);
        }
        anonymised += updates.Count;
        deleted += removals.Count;
        participants += targets.Count;
        rooms.Add(room);

        var ids = targets.Select(t => t.Id).ToArray();
        if (ids.Length > 0)
        {
            KeepIssues(targets, placeholders);
        }

        RedactDeliveries(ids.ToHashSet(StringComparer.Ordinal), [.. targets.Select(t => t.SessionId).Distinct(StringComparer.Ordinal)], renames.Keys);

        context.Outbox.Muted = true;
        try
        {
            RoomRecompute.Recompute(context, team, room, since);
        }
        finally
        {
            context.Outbox.Muted = false;
        }
    }

    /// <summary>
    /// The issues found for the erased participants stay, so that sessions keep their issue counts, under the ids their
    /// records take now (the placeholder identity gives a new one): the details quoted from their events go, from the
    /// evidence and from the summary that quotes them.
    /// </summary>
    private void KeepIssues(IReadOnlyList<Target> targets, IReadOnlyDictionary<string, string> placeholders)
    {
        var ids = targets.Select(t => t.Id).ToArray();
        var kept = context.Query<(string Id, string Participant, string Evidence, string Summary)>(
            $"SELECT id, participant_id, evidence, summary {StoreIssuesCommand.KeptIssues(context.Dialect)}", new { participants = ids }).ToList();
        var renamed = targets.ToDictionary(t => t.Id, t => t.ExternalId is { } x
            ? ParticipantId.Derive(new SessionId(Guid.Parse(t.SessionId)), ParticipantRecord.KeyOf(placeholders[x])).ToString()
            : t.Id, StringComparer.Ordinal);
        foreach (var issue in kept)
        {
            var summary = issue.Summary;
            var evidence = JsonNode.Parse(issue.Evidence);
            if (evidence?["samples"] is JsonArray samples)
            {
                foreach (var sample in samples.OfType<JsonObject>())
                {
                    if (sample["detail"] is JsonValue detail && detail.TryGetValue<string>(out var text) && text.Length > 0)
                    {
                        summary = summary.Replace(text, "deleted", StringComparison.Ordinal);
                    }

                    sample["detail"] = null;
                }
            }

            issues += context.Execute("UPDATE issues SET participant_id = @participant, evidence = @evidence, summary = @summary WHERE team_id = @team AND id = @id",
                new { team = teamText, id = issue.Id, participant = renamed[issue.Participant], evidence = evidence?.ToJsonString() ?? issue.Evidence, summary });
        }
    }

    /// <summary>What the law reads of an erased participant's event, and nothing else: a join's kind of device (the statistics count minutes by it), a leave's reason and join time.</summary>
    private static string? Scrub(string type, string? data)
    {
        if (data is null || type is not (EventTypes.ParticipantJoined or EventTypes.ParticipantLeft) || JsonNode.Parse(data) is not JsonObject old)
        {
            return null;
        }

        var kept = new JsonObject();
        if (type == EventTypes.ParticipantJoined)
        {
            if (old["client"] is JsonObject { } client && client["device"] is JsonValue device && device.TryGetValue<string>(out var d))
            {
                kept["client"] = new JsonObject { ["device"] = d };
            }
        }
        else
        {
            foreach (var name in (string[])["reason", "joined_at"])
            {
                if (old[name] is JsonValue value && value.TryGetValue<string>(out var s))
                {
                    kept[name] = s;
                }
            }
        }

        return kept.Count == 0 ? null : kept.ToJsonString();
    }

    /// <summary>A session end's data with an erased person who ended it replaced by the placeholder name.</summary>
    private static string? EndedBy(string? data, IEnumerable<string> erased)
    {
        if (data is null || JsonNode.Parse(data) is not JsonObject end || end["ended_by"] is not JsonValue by
            || !by.TryGetValue<string>(out var who) || !erased.Contains(who, StringComparer.Ordinal))
        {
            return data;
        }

        end["ended_by"] = ParticipantRecord.ErasedName;
        return end.ToJsonString();
    }

    /// <summary>
    /// Webhook messages not yet delivered lose the erased participants' names and external ids; delivered ones are the
    /// receiver's copy and stay as they were sent.
    /// </summary>
    private void RedactDeliveries(HashSet<string> participantIds, string[] sessionIds, IEnumerable<string> identities)
    {
        if (sessionIds.Length == 0)
        {
            return;
        }

        var pending = context.Query<(string Id, string Payload)>(
            $"SELECT id, payload FROM webhook_deliveries WHERE team_id = @team AND state = @pending AND {context.Dialect.InList("session_id", "sessionIds")}",
            new { team = teamText, pending = DeliveryStates.Pending, sessionIds });
        var erased = identities.ToHashSet(StringComparer.Ordinal);
        foreach (var (id, payload) in pending)
        {
            if (JsonNode.Parse(payload) is not JsonObject message || message["data"] is not JsonObject data)
            {
                continue;
            }

            var changed = false;
            if (data["participant_id"] is JsonValue p && p.TryGetValue<string>(out var pid) && participantIds.Contains(pid) && data.ContainsKey("name"))
            {
                data["name"] = ParticipantRecord.ErasedName;
                data["external_id"] = null;
                changed = true;
            }

            if (data["ended_by"] is JsonValue by && by.TryGetValue<string>(out var who) && erased.Contains(who))
            {
                data["ended_by"] = ParticipantRecord.ErasedName;
                changed = true;
            }

            if (changed)
            {
                deliveries += context.Execute("UPDATE webhook_deliveries SET payload = @payload WHERE id = @id", new { id, payload = message.ToJsonString() });
            }
        }
    }
}
