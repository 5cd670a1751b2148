using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Data.Audit;
using Callscope.Data.Diagnosis;
using Callscope.Data.Teams;
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

    /// <summary>
    /// The entry of an erasure by the caller of this request, written with it when something was erased: what it was done
    /// to and how many records it touched. A person's external id is not kept, since the entry would otherwise keep what
    /// was erased.
    /// </summary>
    public static Func<ErasureResult, AuditEntry?> Erasure(HttpContext context, AuditTarget target) => result =>
        result.Outcome != ErasureOutcome.Erased ? null : Entry(context, AuditActions.DataDeleted, target, new()
        {
            ["rooms"] = result.Counts.Rooms,
            ["sessions"] = result.Counts.Sessions,
            ["participants"] = result.Counts.Participants,
            ["events_anonymised"] = result.Counts.EventsAnonymised,
            ["events_deleted"] = result.Counts.EventsDeleted,
            ["issues"] = result.Counts.Issues,
        });

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

    /// <summary>
    /// Replaces the origins whose pages may send browser events (already normalised), recording the change when the list
    /// differs from the stored one: the API and the dashboard change them this one way.
    /// </summary>
    public async Task ChangeOriginsAsync(HttpContext context, BrowserAccessStore access, TeamId team, IReadOnlyList<string> origins,
        CancellationToken cancellationToken)
    {
        var before = access.Origins(team);
        access.SetOrigins(team, origins);
        if (Changes(("allowed_origins", before, origins)) is { Count: > 0 } changed)
        {
            await RecordAsync(context, AuditActions.BrowserOriginsChanged, AuditTarget.Team(team), changed, cancellationToken);
        }
    }

    /// <summary>The changed fields of a team's settings, named as the API names them.</summary>
    public static JsonObject SettingsChanges(TeamSettings old, TeamSettings now) => Changes(
        ("name", old.Name, now.Name), ("max_sessions", old.MaxSessions, now.MaxSessions), ("grace_period", old.GracePeriod, now.GracePeriod),
        ("session_length", old.SessionLength, now.SessionLength), ("period_start_day", old.PeriodStartDay, now.PeriodStartDay),
        ("retention_days", old.RetentionDays, now.RetentionDays));

    /// <summary>
    /// A change of the team's settings through the writer, with its audit entry when some field differs from the settings
    /// it replaced (an unchanged save records nothing).
    /// </summary>
    public static ChangeTeamCommand ChangeTeam(HttpContext context, TeamId team, TeamSettings settings) => new(team, settings)
    {
        AuditChange = before => SettingsChanges(before, settings) is { Count: > 0 } changes
            ? Entry(context, AuditActions.TeamSettingsChanged, AuditTarget.Team(team), changes)
            : null,
    };

    /// <summary>A change of the team's detector thresholds through the writer, with its audit entry when some value differs.</summary>
    public static ChangeDiagnosisCommand ChangeDiagnosis(HttpContext context, TeamId team, DiagnosisSettings settings) => new(team, settings)
    {
        AuditChange = before => Changes([.. DiagnosisSettings.Ranges.Select(r => (r.Name, (object?)before.Get(r.Name), (object?)settings.Get(r.Name)))]) is { Count: > 0 } changes
            ? Entry(context, AuditActions.DiagnosisSettingsChanged, AuditTarget.Team(team), changes)
            : null,
    };

    private static bool Same(object? old, object? now) =>
        old is IEnumerable<string> a && now is IEnumerable<string> b && old is not string ? a.SequenceEqual(b, StringComparer.Ordinal) : Equals(old, now);
}
