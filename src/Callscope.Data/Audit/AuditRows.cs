using System.Data.Common;
using Callscope.Core;
using Dapper;

namespace Callscope.Data.Audit;

/// <summary>Writes audit entries, inside the transaction of whatever they record.</summary>
internal static class AuditRows
{
    private const string Insert =
        """
        INSERT INTO audit_log (id, team_id, at, actor_kind, actor_id, actor_email, action, target_type, target_id, details, client_ip)
        VALUES (@Id, @Team, @At, @Kind, @ActorId, @Email, @Action, @TargetType, @TargetId, @Details, @ClientIp)
        """;

    /// <summary>The longest client address kept (an IPv6 address with a zone fits).</summary>
    private const int MaxIpLength = 64;

    public static void Write(DbConnection connection, DbTransaction transaction, IEnumerable<AuditEntry> entries, DateTimeOffset at) =>
        connection.Execute(Insert, entries.Select(e => Row(e, at)), transaction);

    private static object Row(AuditEntry e, DateTimeOffset at) => new
    {
        Id = AuditIds.Next(at).ToString(),
        Team = e.Team.ToString(),
        At = DbTime.Ms(at),
        e.Actor.Kind,
        ActorId = e.Actor.MemberId?.ToString(),
        e.Actor.Email,
        e.Action,
        TargetType = e.Target.Type,
        TargetId = e.Target.Id,
        Details = e.Details?.ToJsonString() ?? "{}",
        ClientIp = e.ClientIp is { Length: > MaxIpLength } ip ? ip[..MaxIpLength] : e.ClientIp,
    };

    /// <summary>Every team's id but these, for an entry every other team records alike.</summary>
    public static IReadOnlyList<TeamId> TeamsBut(DbConnection connection, DbTransaction transaction, IReadOnlyCollection<TeamId> except) =>
        [.. connection.Query<string>("SELECT id FROM teams", transaction: transaction).Select(id => new TeamId(Guid.Parse(id))).Where(t => !except.Contains(t))];
}
