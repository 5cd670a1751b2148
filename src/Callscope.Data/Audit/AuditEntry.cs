using System.Text.Json.Nodes;
using Callscope.Core;

namespace Callscope.Data.Audit;

/// <summary>
/// Who did something, as the audit log keeps it: a member (id and e-mail address at the time), the team's developer
/// key, LiveKit (through its webhook), the server itself, or a visitor of the sign-in page who typed an e-mail address
/// that is no member of the team. Never a secret.
/// </summary>
public sealed record AuditActor(string Kind, Guid? MemberId = null, string? Email = null)
{
    public const string MemberKind = "member";
    public const string DeveloperKeyKind = "developer_key";
    public const string LiveKitKind = "livekit";
    public const string SystemKind = "system";
    public const string VisitorKind = "visitor";

    public static readonly IReadOnlyList<string> Kinds = [MemberKind, DeveloperKeyKind, LiveKitKind, SystemKind, VisitorKind];

    /// <summary>The longest e-mail address kept: a visitor's typed text is cut to it.</summary>
    public const int MaxEmailLength = 100;

    public static AuditActor Member(Guid id, string email) => new(MemberKind, id, Cap(email));

    public static AuditActor Visitor(string typedEmail) => new(VisitorKind, null, Cap(typedEmail.Trim()));

    public static readonly AuditActor DeveloperKey = new(DeveloperKeyKind);

    public static readonly AuditActor LiveKit = new(LiveKitKind);

    public static readonly AuditActor System = new(SystemKind);

    private static string Cap(string email) => email.Length <= MaxEmailLength ? email : email[..MaxEmailLength];
}

/// <summary>What an action was done to: a type (<c>session</c>, <c>room</c>, <c>member</c>, ...) and its id, if it has one.</summary>
public sealed record AuditTarget(string Type, string? Id)
{
    public static AuditTarget Team(TeamId team) => new("team", team.ToString());

    public static AuditTarget Session(string id) => new("session", id);

    public static AuditTarget Room(RoomId room) => new("room", room.ToString());

    public static AuditTarget Member(Guid id) => new("member", id.ToString());

    public static AuditTarget Webhook(string id) => new("webhook", id);
}

/// <summary>
/// One thing to record: the team, who, what (one of <see cref="AuditActions"/>), to what, a small JSON object of
/// details (never a secret, token or password) and the client's address.
/// </summary>
public sealed record AuditEntry(TeamId Team, AuditActor Actor, string Action, AuditTarget Target, JsonObject? Details = null, string? ClientIp = null);

/// <summary>An entry as stored, with its id and the instant it was written.</summary>
public sealed record AuditRecord(
    string Id, TeamId Team, DateTimeOffset At, AuditActor Actor, string Action, AuditTarget Target, JsonObject Details, string? ClientIp);
