using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Core.Law;
using Callscope.Data.Webhooks;

namespace Callscope.Data.Writing;

/// <summary>
/// The outbox side of the writer (docs/webhooks.md): what a command wrote that a team's webhooks hear of, turned into
/// delivery rows in the command's own savepoint, so a committed change always has its deliveries and a change rolled
/// back has none. Each message is named by what happened (a session's start; its end at a given instant; a
/// connection's join or leave at a given instant; an issue), so writing a session again, as the law does on every
/// event and every recomputation, adds nothing: only facts not announced before become messages. A late event that
/// moves a session's end therefore sends a new <c>session_ended</c> for that session.
/// </summary>
/// <remarks>
/// A team without webhooks costs one indexed read per transaction and nothing else: no message is built for it.
/// </remarks>
internal sealed class WebhookOutbox(WriteContext context)
{
    private static readonly RowTable Deliveries = new("webhook_deliveries",
    [
        new("id", Text: true), new("team_id", Text: true), new("webhook_id", Text: true), new("message_key", Text: true),
        new("event_type", Text: true), new("room_id", Text: true), new("session_id", Text: true), new("payload", Text: true),
        new("created_at"), new("state", Text: true), new("next_attempt_at"),
    ], conflict: "ON CONFLICT (webhook_id, message_key) DO NOTHING");

    /// <summary>Per team, for the transaction: its enabled webhooks and the events each wants (none: the team is skipped).</summary>
    private readonly Dictionary<TeamId, List<WebhookTarget>> teams = [];

    /// <summary>Per team, for the transaction: its rooms that limit their events to some webhooks, with those webhooks.</summary>
    private readonly Dictionary<TeamId, Dictionary<string, HashSet<string>>> scopes = [];

    private readonly Dictionary<string, object?[]> rows = new(StringComparer.Ordinal);

    /// <summary>Whether this transaction queued any delivery, so the dispatcher is woken when it commits.</summary>
    public bool Queued { get; private set; }

    /// <summary>
    /// While set, rows written announce nothing: an erasure rewrites sessions that did not change, under participant ids
    /// that are new only because the identity behind them was erased.
    /// </summary>
    public bool Muted { get; set; }

    /// <summary>
    /// A session row was written: its start, and its end or its ending-soon state when it has one;
    /// <paramref name="participants"/> is the row's count of participants.
    /// </summary>
    public void Session(TeamId team, RoomId room, SessionRecord s, int participants)
    {
        if (Muted || !Listened(team))
        {
            return;
        }

        var id = s.Id!.Value.ToString();
        Add(team, room, id, WebhookEvents.SessionStarted, $"started:{id}", s.Start, () => new JsonObject { ["start_time"] = T(s.Start) });
        if (s.End is { } end)
        {
            Add(team, room, id, WebhookEvents.SessionEnded, $"ended:{id}:{DbTime.Ms(end)}", end, () => new JsonObject
            {
                ["start_time"] = T(s.Start),
                ["end_time"] = T(end),
                ["end_reason"] = s.EndReason,
                ["ended_by"] = s.EndedBy,
                ["duration"] = (long)(end - s.Start).TotalSeconds,
                ["participants_total"] = participants,
                ["max_concurrent_participants"] = s.MaxConcurrentParticipants,
            });
        }
        else if (s.ActiveConnections == 0 && s.LastParticipantLeftAt is { } left)
        {
            Add(team, room, id, WebhookEvents.SessionEndingSoon, $"ending:{id}:{DbTime.Ms(left)}", left, () => new JsonObject
            {
                ["start_time"] = T(s.Start),
                ["last_participant_left_at"] = T(left),
                ["ends_at"] = T(s.Deadline?.At),
                ["grace_period"] = (long)s.GracePeriod.TotalSeconds,
            });
        }
    }

    /// <summary>A participant row was written: each of its connections' joins, and the leaves of those that closed.</summary>
    public void Participant(TeamId team, RoomId room, SessionId session, ParticipantId participant, ParticipantRecord p)
    {
        if (Muted || !Listened(team))
        {
            return;
        }

        var sessionText = session.ToString();
        var pid = participant.ToString();
        for (var i = 0; i < p.Connections.Count; i++)
        {
            var c = p.Connections[i];
            if (!c.JoinMissing)
            {
                Add(team, room, sessionText, WebhookEvents.ParticipantJoined, $"joined:{pid}:{DbTime.Ms(c.JoinTime)}", c.JoinTime, () =>
                {
                    var joined = Who(pid, p);
                    joined["join_time"] = T(c.JoinTime);
                    joined["connection_id"] = c.ConnectionId;
                    joined["reconnect"] = i > 0;
                    return joined;
                });
            }

            if (c.LeaveTime is { } leave)
            {
                Add(team, room, sessionText, WebhookEvents.ParticipantLeft, $"left:{pid}:{DbTime.Ms(leave)}", leave, () =>
                {
                    var left = Who(pid, p);
                    left["join_time"] = T(c.JoinTime);
                    left["leave_time"] = T(leave);
                    left["leave_reason"] = c.LeaveReason;
                    left["connection_id"] = c.ConnectionId;
                    left["duration"] = (long)(leave - c.JoinTime).TotalSeconds;
                    return left;
                });
            }
        }
    }

    /// <summary>The diagnosis found an issue not kept before.</summary>
    public void Issue(TeamId team, RoomId room, string session, string participant, string issue, string kind, long severity,
        DateTimeOffset startedAt, string summary)
    {
        if (Listened(team))
        {
            Add(team, room, session, WebhookEvents.ParticipantIssue, $"issue:{issue}", startedAt, () => new JsonObject
            {
                ["participant_id"] = participant,
                ["issue_id"] = issue,
                ["kind"] = kind,
                ["severity"] = severity,
                ["started_at"] = T(startedAt),
                ["summary"] = summary,
            });
        }
    }

    /// <summary>Writes the command's messages, one row per webhook that wants each, and starts empty again.</summary>
    public void Write()
    {
        if (rows.Count == 0)
        {
            return;
        }

        context.Dialect.UpsertRows(context, Deliveries, [.. rows.Values]);
        rows.Clear();
        Queued = true;
    }

    /// <summary>The command failed: nothing it announced may be written.</summary>
    public void Clear() => rows.Clear();

    private static string? T(DateTimeOffset? at) => WebhookMessage.Time(at);

    private static JsonObject Who(string participant, ParticipantRecord p) => new()
    {
        ["participant_id"] = participant,
        ["external_id"] = p.ExternalId,
        ["name"] = p.Name,
        ["role"] = p.Role,
    };

    private bool Listened(TeamId team)
    {
        if (!teams.TryGetValue(team, out var targets))
        {
            targets = WebhookTarget.Read(context, team);
            teams[team] = targets;
            if (targets.Count > 0)
            {
                // Most rooms let every webhook hear of them: one read finds the few that do not.
                scopes[team] = context.Query<(string Id, string Webhooks)>("SELECT id, webhooks FROM rooms WHERE team_id = @team AND webhooks IS NOT NULL",
                        new { team = team.ToString() })
                    .ToDictionary(r => r.Id, r => new HashSet<string>(IdList.Read(r.Webhooks)!, StringComparer.Ordinal),
                        StringComparer.Ordinal);
            }
        }

        return targets.Count > 0;
    }

    /// <param name="data">Builds the message's data: only when some webhook takes a fact not taken in this command.</param>
    private void Add(TeamId team, RoomId room, string session, string eventType, string key, DateTimeOffset at, Func<JsonObject> data)
    {
        string? payload = null;
        var scope = scopes[team].GetValueOrDefault(room.ToString());
        foreach (var target in teams[team])
        {
            if (!target.Events.Contains(eventType) || (scope is not null && !scope.Contains(target.Id)))
            {
                continue;
            }

            var rowKey = target.Id + "|" + key;
            if (rows.ContainsKey(rowKey))
            {
                // The same fact again in this command: the first one written stands, as in the table.
                continue;
            }

            payload ??= WebhookMessage.Payload(eventType, session, room.ToString(), at, data());
            var now = DbTime.Ms(context.Now);
            rows[rowKey] = [WebhookMessage.NewId(context.Now), team.ToString(), target.Id, key, eventType, room.ToString(), session, payload, now,
                DeliveryStates.Pending, now];
        }
    }
}

/// <summary>
/// One webhook of a team, as the outbox needs it. A disabled webhook still gets its deliveries, held until it is
/// enabled again, so that nothing is lost while an endpoint is down.
/// </summary>
internal sealed record WebhookTarget(string Id, HashSet<string> Events)
{
    public static List<WebhookTarget> Read(WriteContext context, TeamId team) =>
        [.. context.Query<(string Id, string Events)>("SELECT id, events FROM webhooks WHERE team_id = @team", new { team = team.ToString() })
            .Select(w => new WebhookTarget(w.Id, [.. IdList.Read(w.Events)!]))];
}
