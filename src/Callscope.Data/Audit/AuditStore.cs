using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Audit;

/// <summary>
/// Which entries to read: <paramref name="Action"/> is an action's name or a group's (<c>webhook.*</c>);
/// <paramref name="Actor"/> is an actor kind, a member's id or an e-mail address (any case); the times bound the
/// entries' instants, both ends included.
/// </summary>
public sealed record AuditFilter(string? Action = null, string? Actor = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>The audit log as the API and the dashboard read it: one team's entries, newest first unless asked otherwise.</summary>
public sealed class AuditStore(CallscopeDatabase database)
{
    private const string Columns =
        "SELECT id AS Id, team_id AS TeamId, at AS At, actor_kind AS ActorKind, actor_id AS ActorId, actor_email AS ActorEmail, action AS Action, " +
        "target_type AS TargetType, target_id AS TargetId, details AS Details, client_ip AS ClientIp FROM audit_log";

    public Page<AuditRecord> List(TeamId team, AuditFilter filter, Paging paging)
    {
        using var connection = database.Open();
        var p = new DynamicParameters(new { team = team.ToString(), limit = paging.Limit, offset = paging.Offset });
        var where = "team_id = @team" + Where(filter, p);
        var total = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE " + where, p);
        if (paging.After is { } after)
        {
            if (connection.QuerySingleOrDefault<long?>("SELECT at FROM audit_log WHERE id = @after AND team_id = @team", new { after, team = team.ToString() }) is not { } at)
            {
                return new Page<AuditRecord>(0, []) { UnknownCursor = true };
            }

            where += paging.Descending ? " AND (at < @afterAt OR (at = @afterAt AND id < @after))" : " AND (at > @afterAt OR (at = @afterAt AND id > @after))";
            p.Add("afterAt", at);
            p.Add("after", after);
        }

        var order = paging.Descending ? "DESC" : "ASC";
        var rows = connection.Query<Row>($"{Columns} WHERE {where} ORDER BY at {order}, id {order} LIMIT @limit OFFSET @offset", p);
        return new Page<AuditRecord>(total, [.. rows.Select(r => r.ToRecord())]);
    }

    private static string Where(AuditFilter filter, DynamicParameters p)
    {
        var where = "";
        if (filter.Action is { } action)
        {
            if (action.EndsWith(".*", StringComparison.Ordinal))
            {
                // Action names hold only letters, '_' and '.': the '_' of a group is escaped for LIKE.
                where += @" AND action LIKE @actionPrefix ESCAPE '\'";
                p.Add("actionPrefix", action[..^1].Replace("_", @"\_", StringComparison.Ordinal) + "%");
            }
            else
            {
                where += " AND action = @action";
                p.Add("action", action);
            }
        }

        if (filter.Actor is { } actor)
        {
            if (AuditActor.Kinds.Contains(actor))
            {
                where += " AND actor_kind = @actor";
            }
            else if (Guid.TryParseExact(actor, "D", out var id))
            {
                where += " AND actor_id = @actor";
                actor = id.ToString();
            }
            else
            {
                where += " AND lower(actor_email) = lower(@actor)";
            }

            p.Add("actor", actor);
        }

        if (filter.From is { } from)
        {
            where += " AND at >= @from";
            p.Add("from", DbTime.Ms(from));
        }

        if (filter.To is { } to)
        {
            where += " AND at <= @to";
            p.Add("to", DbTime.Ms(to));
        }

        return where;
    }

    private sealed record Row(
        string Id, string TeamId, long At, string ActorKind, string? ActorId, string? ActorEmail, string Action, string TargetType, string? TargetId,
        string Details, string? ClientIp)
    {
        public AuditRecord ToRecord() => new(
            Id, new TeamId(Guid.Parse(TeamId)), DbTime.At(At), new AuditActor(ActorKind, ActorId is null ? null : Guid.Parse(ActorId), ActorEmail), Action,
            new AuditTarget(TargetType, TargetId), JsonNode.Parse(Details) as JsonObject ?? [], ClientIp);
    }
}
