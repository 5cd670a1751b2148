using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Data.Audit;
using Callscope.Data.Writing;
using Callscope.Server.Auth;
using Callscope.Server.Dashboard.Members;

namespace Callscope.Server.Audit;

/// <summary>
/// Records who did what in a team (docs/operations.md, "Audit log"). A change made through the writer carries its
/// entry (<see cref="WriteCommand{T}.Audit"/>, built with <see cref="Entry"/>) so both commit together; a change made
/// elsewhere is recorded with <see cref="RecordAsync(HttpContext, string, AuditTarget, JsonObject?, CancellationToken)"/>
/// right after it succeeded. Details never hold a secret, token or password.
/// </summary>
public sealed class AuditLog(IngestPipeline pipeline)
{
    /// <summary>Records an entry with any actor (e.g. <see cref="AuditActor.System"/>, or LiveKit).</summary>
    public Task RecordAsync(TeamId team, AuditActor actor, string action, AuditTarget target, JsonObject? details = null, string? clientIp = null,
        CancellationToken cancellationToken = default) =>
        pipeline.SendAsync(new RecordAuditCommand([new AuditEntry(team, actor, action, target, details, clientIp)]), cancellationToken);

    /// <summary>Records an entry by the caller of this request: its member or the developer key, from its address.</summary>
    public Task RecordAsync(HttpContext context, string action, AuditTarget target, JsonObject? details = null, CancellationToken cancellationToken = default) =>
        pipeline.SendAsync(new RecordAuditCommand([Entry(context, action, target, details)]), cancellationToken);

    /// <summary>An entry by the caller of this request, to hand to a write command.</summary>
    public static AuditEntry Entry(HttpContext context, string action, AuditTarget target, JsonObject? details = null) =>
        new(context.User.TeamOf(), ActorOf(context.User), action, target, details, ClientIp(context));

    /// <summary>The caller as the audit log names it: a signed-in member, or else the team's developer key.</summary>
    public static AuditActor ActorOf(ClaimsPrincipal user) =>
        MemberPrincipal.MemberIdOf(user) is { } id && user.FindFirstValue(ClaimTypes.Email) is { } email
            ? AuditActor.Member(id, email)
            : AuditActor.DeveloperKey;

    /// <summary>The client's address as the connection (or the forwarded-headers middleware, behind a proxy) gives it.</summary>
    public static string? ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>
    /// The fields of a settings change: for each that differs, <c>{"old": ..., "new": ...}</c>. Only for fields that hold
    /// no secret.
    /// </summary>
    public static JsonObject Changes(params ReadOnlySpan<(string Field, object? Old, object? New)> fields)
    {
        var changed = new JsonObject();
        foreach (var (field, old, now) in fields)
        {
            if (!Same(old, now))
            {
                changed[field] = new JsonObject { ["old"] = JsonSerializer.SerializeToNode(old), ["new"] = JsonSerializer.SerializeToNode(now) };
            }
        }

        return changed;
    }

    private static bool Same(object? old, object? now) =>
        old is IEnumerable<string> a && now is IEnumerable<string> b && old is not string ? a.SequenceEqual(b, StringComparer.Ordinal) : Equals(old, now);
}
