using System.Net;
using System.Net.Http.Json;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.Security;
using Callscope.Server.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using static Callscope.Server.Tests.Audit.AuditKit;

namespace Callscope.Server.Tests.Audit;

/// <summary>
/// Each change the audit log keeps appears once, with who made it (a member, the developer key) and what it was done
/// to, and no secret, token or password is ever stored in it.
/// </summary>
public sealed class AuditRecordingTests
{
    private static readonly string[] AppOrigin = ["https://app.example.com"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_ins_are_recorded_and_a_refused_one_names_the_member_or_the_typed_address_never_the_password()
    {
        using var app = new CallscopeApp();
        var api = app.Api();
        var (otherTeam, otherKey) = app.CreateTeam("Other team");
        SignedIn.AddMember(app, "elsewhere@example.test", Roles.Admin, "elsewhere-password-1357", otherTeam);
        var admin = app.Services.GetRequiredService<TeamStore>().FindMember(app.TeamId, CallscopeApp.AdminEmail)!;

        using var signedIn = await SignedIn.AsAdminAsync(app);
        var (client, _) = SignedIn.Browser(app);
        Assert.Equal(HttpStatusCode.OK, (await SignedIn.PostSignInAsync(client, CallscopeApp.AdminEmail, "wrong-password-9753")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignedIn.PostSignInAsync(client, "elsewhere@example.test", "wrong-password-8642")).StatusCode);
        var longTyped = new string('x', 250) + "@example.test";
        Assert.Equal(HttpStatusCode.OK, (await SignedIn.PostSignInAsync(client, longTyped, "wrong-password-7531")).StatusCode);

        var succeeded = await OneAsync(api, "sign_in.succeeded");
        Assert.Equal("member", Actor(succeeded));
        Assert.Equal(admin.Id.ToString(), ActorId(succeeded));
        Assert.Equal(CallscopeApp.AdminEmail, ActorEmail(succeeded));
        Assert.Equal(("member", admin.Id.ToString()), (TargetType(succeeded), TargetId(succeeded)));

        var failed = await EntriesAsync(api, "action=sign_in.failed&order=asc");
        Assert.Equal(3, failed.Count);
        Assert.Equal(("member", admin.Id.ToString(), "wrong_password"), (Actor(failed[0]), ActorId(failed[0]), failed[0].GetProperty("details").GetProperty("reason").GetString()));

        // A member of another team looks, to this team, exactly like an address nobody has.
        Assert.Equal(("visitor", "elsewhere@example.test", "unknown_email"), (Actor(failed[1]), ActorEmail(failed[1]), failed[1].GetProperty("details").GetProperty("reason").GetString()));
        Assert.Equal(("visitor", longTyped[..100], "unknown_email"), (Actor(failed[2]), ActorEmail(failed[2]), failed[2].GetProperty("details").GetProperty("reason").GetString()));
        Assert.Null(TargetId(failed[1]));

        // The other team sees its own member's failure, and the other two as visitors.
        var theirs = await EntriesAsync(app.Api(otherKey), "action=sign_in.failed&order=asc");
        Assert.Equal(["visitor", "member", "visitor"], theirs.Select(Actor));
        Assert.Equal("elsewhere@example.test", ActorEmail(theirs[1]));

        var rows = AllRows(app);
        foreach (var secret in new[] { CallscopeApp.AdminPassword, "wrong-password-9753", "wrong-password-8642", "wrong-password-7531", "elsewhere-password-1357" })
        {
            Assert.DoesNotContain(secret, rows, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Member_changes_key_rotation_and_settings_changes_are_recorded_with_old_and_new_values()
    {
        using var app = new CallscopeApp();
        var api = app.Api();
        using var admin = await SignedIn.AsAdminAsync(app);
        var adminId = app.Services.GetRequiredService<TeamStore>().FindMember(app.TeamId, CallscopeApp.AdminEmail)!.Id.ToString();

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/members", "/members?handler=Add", new Dictionary<string, string>
        {
            ["Form.Email"] = "new.viewer@example.test", ["Form.Name"] = "New Viewer", ["Form.Role"] = Roles.Viewer, ["Form.Password"] = "new-viewer-password-1122",
        })).StatusCode);
        var added = await OneAsync(api, "member.added");
        Assert.Equal(("member", adminId), (Actor(added), ActorId(added)));
        var member = app.Services.GetRequiredService<TeamStore>().FindMember(app.TeamId, "new.viewer@example.test")!;
        Assert.Equal(member.Id.ToString(), TargetId(added));
        Assert.Equal("viewer", added.GetProperty("details").GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/members", "/members?handler=Role",
            new Dictionary<string, string> { ["memberId"] = member.Id.ToString(), ["role"] = Roles.Admin })).StatusCode);
        var role = await OneAsync(api, "member.role_changed");
        Assert.Equal(member.Id.ToString(), TargetId(role));
        Assert.Equal("viewer", role.GetProperty("details").GetProperty("role").GetProperty("old").GetString());
        Assert.Equal("admin", role.GetProperty("details").GetProperty("role").GetProperty("new").GetString());

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/members", "/members?handler=Remove",
            new Dictionary<string, string> { ["memberId"] = member.Id.ToString() })).StatusCode);
        Assert.Equal(member.Id.ToString(), TargetId(await OneAsync(api, "member.removed")));

        var rotation = await admin.PostFormAsync("/settings", "/settings?handler=Rotate", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var newKey = System.Text.RegularExpressions.Regex.Match(await rotation.Content.ReadAsStringAsync(Ct), "id=\"new-key\"[^>]*value=\"(csk_[A-Za-z0-9_-]+)\"").Groups[1].Value;
        Assert.StartsWith("csk_", newKey, StringComparison.Ordinal);
        var rotated = await OneAsync(admin.Client, "developer_key.rotated");
        Assert.Equal(("member", "developer_key"), (Actor(rotated), TargetType(rotated)));

        // The settings change goes through the new key.
        using var newApi = app.Api(newKey);
        var patch = await newApi.PatchAsJsonAsync("/api/v1/team", new { name = "Renamed team", grace_period = 60, allowed_origins = AppOrigin }, Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var settings = await OneAsync(newApi, "team.settings_changed");
        Assert.Equal(("developer_key", null), (Actor(settings), ActorId(settings)));
        var details = settings.GetProperty("details");
        Assert.Equal(("Test team", "Renamed team"), (details.GetProperty("name").GetProperty("old").GetString(), details.GetProperty("name").GetProperty("new").GetString()));
        Assert.Equal((420, 60), (details.GetProperty("grace_period").GetProperty("old").GetInt32(), details.GetProperty("grace_period").GetProperty("new").GetInt32()));
        Assert.False(details.TryGetProperty("max_sessions", out _), "only the fields that changed are listed");
        var origins = await OneAsync(newApi, "browser.origins_changed");
        Assert.Equal("https://app.example.com", origins.GetProperty("details").GetProperty("allowed_origins").GetProperty("new")[0].GetString());

        // Saving the same settings again changes nothing and records nothing.
        Assert.Equal(HttpStatusCode.OK, (await newApi.PatchAsJsonAsync("/api/v1/team", new { name = "Renamed team" }, Ct)).StatusCode);
        Assert.Single(await EntriesAsync(newApi, "action=team.settings_changed"));

        var rows = AllRows(app);
        Assert.DoesNotContain(newKey, rows, StringComparison.Ordinal);
        Assert.DoesNotContain(CallscopeApp.DeveloperKey, rows, StringComparison.Ordinal);
        Assert.DoesNotContain("new-viewer-password-1122", rows, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_changes_are_recorded_without_its_token_signing_secret_or_query()
    {
        using var app = WebhookKit.NewApp();
        var api = app.Api();
        const string token = "receiver-bearer-token-77aa";
        var (id, secret) = await WebhookKit.CreateAsync(api, new Uri("https://hooks.example.com/in?key=query-secret-55bb"), token: token, name: "Audit hook");

        var created = await OneAsync(api, "webhook.created");
        Assert.Equal(("developer_key", "webhook", id), (Actor(created), TargetType(created), TargetId(created)));
        Assert.Equal("https://hooks.example.com/in", created.GetProperty("details").GetProperty("endpoint").GetString());
        Assert.True(created.GetProperty("details").GetProperty("authorization_header").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { name = "Renamed hook", authorization_header = "another-token-99cc" }, Ct)).StatusCode);
        var changed = await OneAsync(api, "webhook.changed");
        Assert.Equal("Renamed hook", changed.GetProperty("details").GetProperty("name").GetProperty("new").GetString());
        Assert.True(changed.GetProperty("details").GetProperty("authorization_header_changed").GetBoolean());

        using var rotate = await api.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null, Ct);
        var newSecret = (await ApiAssert.OkAsync(rotate)).GetProperty("signing_secret").GetString()!;
        Assert.Equal(id, TargetId(await OneAsync(api, "webhook.secret_rotated")));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/webhooks/{id}", Ct)).StatusCode);
        Assert.Equal(id, TargetId(await OneAsync(api, "webhook.deleted")));
        Assert.Equal(4, (await EntriesAsync(api, "action=webhook.*")).Count);

        var rows = AllRows(app);
        foreach (var hidden in new[] { token, "another-token-99cc", secret, secret["whsec_".Length..], newSecret, "query-secret-55bb" })
        {
            Assert.DoesNotContain(hidden, rows, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_session_ended_by_a_member_and_one_ended_by_the_key_name_who_ended_them()
    {
        using var app = new CallscopeApp();
        var api = app.Api();
        var now = app.Clock.GetUtcNow();
        await Events.PostAsync(api, Events.Joined("room-one", "ana", now), Events.Joined("room-two", "ben", now));
        await app.AdvanceAsync(TimeSpan.FromMinutes(5));
        var live = await ApiAssert.GetAsync(api, "/api/v1/sessions?live=true&order=asc");
        var sessions = live.GetProperty("data").EnumerateArray().ToDictionary(s => s.GetProperty("friendly_url").GetString()!, s => s.GetProperty("id").GetString()!);

        using var admin = await SignedIn.AsAdminAsync(app);
        var byMember = await admin.PostFormAsync($"/sessions/{sessions["room-one"]}", $"/sessions/{sessions["room-one"]}/end", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, byMember.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/sessions/{sessions["room-two"]}/end", null, Ct)).StatusCode);

        // A second end of an ended session is refused (422) and records nothing.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.PostAsync($"/api/v1/sessions/{sessions["room-two"]}/end", null, Ct)).StatusCode);

        var ended = await EntriesAsync(api, "action=session.ended&order=asc");
        Assert.Equal(2, ended.Count);
        Assert.Equal(("member", CallscopeApp.AdminEmail, sessions["room-one"]), (Actor(ended[0]), ActorEmail(ended[0]), TargetId(ended[0])));
        Assert.Equal(("developer_key", null, sessions["room-two"]), (Actor(ended[1]), ActorEmail(ended[1]), TargetId(ended[1])));
        Assert.All(ended, e => Assert.Equal("session", TargetType(e)));
    }

    [Fact]
    public async Task A_deleted_room_and_a_csv_export_are_recorded()
    {
        using var app = new CallscopeApp();
        var api = app.Api();
        await Events.PostAsync(api, Events.Joined("doomed-room", "ana", app.Clock.GetUtcNow()));
        var room = await ApiAssert.GetAsync(api, "/api/v1/rooms/doomed-room");
        var roomId = room.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/rooms/doomed-room", Ct)).StatusCode);
        var deleted = await OneAsync(api, "room.deleted");
        Assert.Equal(("developer_key", "room", roomId), (Actor(deleted), TargetType(deleted), TargetId(deleted)));
        Assert.Equal("doomed-room", deleted.GetProperty("details").GetProperty("friendly_url").GetString());
        var ended = await OneAsync(api, "session.ended");
        Assert.Equal("room_deleted", ended.GetProperty("details").GetProperty("reason").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("/api/v1/rooms/doomed-room", Ct)).StatusCode);
        Assert.Single(await EntriesAsync(api, "action=room.deleted"));

        var sessions = (await ApiAssert.GetAsync(api, "/api/v1/sessions?room_id=" + roomId)).GetProperty("total_count").GetInt32();
        Assert.True(sessions > 0);
        using var csv = await api.GetAsync("/api/v1/sessions?format=csv&room_id=" + roomId, Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        await csv.Content.ReadAsStringAsync(Ct);
        var export = await OneAsync(api, "export.made");
        Assert.Equal(("developer_key", "export", "sessions"), (Actor(export), TargetType(export), TargetId(export)));
        Assert.Equal(sessions, export.GetProperty("details").GetProperty("rows").GetInt32());
        Assert.Equal(roomId, export.GetProperty("details").GetProperty("filters").GetProperty("room_id").GetString());
    }
}
