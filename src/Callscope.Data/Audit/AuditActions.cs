namespace Callscope.Data.Audit;

/// <summary>
/// The names of the actions the audit log records: stable, dotted, lower case. docs/api.md lists them with what each
/// one's target and details are.
/// </summary>
public static class AuditActions
{
    public const string SignInSucceeded = "sign_in.succeeded";
    public const string SignInFailed = "sign_in.failed";
    public const string MemberAdded = "member.added";
    public const string MemberRemoved = "member.removed";
    public const string MemberRoleChanged = "member.role_changed";
    public const string MemberPasswordChanged = "member.password_changed";
    public const string DeveloperKeyRotated = "developer_key.rotated";
    public const string TeamSettingsChanged = "team.settings_changed";
    public const string DiagnosisSettingsChanged = "team.diagnosis_changed";
    public const string BrowserOriginsChanged = "browser.origins_changed";
    public const string LiveKitIntegrationSaved = "livekit.integration_saved";
    public const string LiveKitIntegrationRemoved = "livekit.integration_removed";
    public const string WebhookCreated = "webhook.created";
    public const string WebhookChanged = "webhook.changed";
    public const string WebhookDeleted = "webhook.deleted";
    public const string WebhookSecretRotated = "webhook.secret_rotated";
    public const string SessionEnded = "session.ended";
    public const string RoomDeleted = "room.deleted";
    public const string ExportMade = "export.made";
    public const string DataDeleted = "data.deleted";

    public static readonly IReadOnlyList<string> All =
    [
        SignInSucceeded, SignInFailed, MemberAdded, MemberRemoved, MemberRoleChanged, MemberPasswordChanged, DeveloperKeyRotated,
        TeamSettingsChanged, DiagnosisSettingsChanged, BrowserOriginsChanged, LiveKitIntegrationSaved,
        LiveKitIntegrationRemoved, WebhookCreated, WebhookChanged, WebhookDeleted, WebhookSecretRotated, SessionEnded, RoomDeleted,
        ExportMade, DataDeleted,
    ];

    /// <summary>The groups a filter may name as <c>group.*</c>: the part of each name before its dot.</summary>
    public static readonly IReadOnlyList<string> Groups = [.. All.Select(a => a[..a.IndexOf('.', StringComparison.Ordinal)]).Distinct()];
}
