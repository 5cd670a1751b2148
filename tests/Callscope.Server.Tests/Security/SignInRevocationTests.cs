using System.Net;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// A copied sign-in cookie stops working, on the dashboard and on the API, on its next request after the sign-in
/// ends: sign-out, a new password (other sign-ins end, the one that changed it stays), a new role, removal.
/// </summary>
public sealed class SignInRevocationTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_copied_cookie_stops_working_after_sign_out()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        var copied = admin.CookieHeader;
        await ExpectValidAsync(copied);

        var signOut = await admin.PostFormAsync("/signout", "/signout", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        await ExpectEndedAsync(copied);
    }

    [Fact]
    public async Task A_new_password_ends_the_other_sign_ins_and_keeps_the_one_that_set_it()
    {
        using var here = await SignedIn.AsAdminAsync(app);
        using var elsewhere = await SignedIn.AsAdminAsync(app);
        var copied = elsewhere.CookieHeader;
        await ExpectValidAsync(copied);

        var change = await here.PostFormAsync("/account", "/account", new Dictionary<string, string>
        {
            ["Form.Current"] = CallscopeApp.AdminPassword,
            ["Form.New"] = "a-new-and-rare-passphrase",
            ["Form.Repeat"] = "a-new-and-rare-passphrase",
        });
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);

        await ExpectEndedAsync(copied);
        var stays = await here.Client.GetAsync("/api/v1/sessions", Ct);
        Assert.Equal(HttpStatusCode.OK, stays.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await here.Client.GetAsync("/account", Ct)).StatusCode);
        await ExpectValidAsync(here.CookieHeader);
    }

    [Fact]
    public async Task A_new_role_ends_the_members_sign_ins()
    {
        var second = SignedIn.AddMember(app, "second-admin@example.test", Roles.Admin, "second-admin-passphrase");
        using var demoted = await SignedIn.AsAsync(app, second.Email, "second-admin-passphrase");
        var copied = demoted.CookieHeader;
        await ExpectValidAsync(copied);

        using var admin = await SignedIn.AsAdminAsync(app);
        var change = await admin.PostFormAsync("/members", "/members?handler=Role", new Dictionary<string, string>
        {
            ["memberId"] = second.Id.ToString(),
            ["role"] = Roles.Viewer,
        });
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);

        await ExpectEndedAsync(copied);
        await ExpectValidAsync(admin.CookieHeader);
    }

    [Fact]
    public async Task Removing_a_member_ends_their_sign_ins()
    {
        var viewer = SignedIn.AddMember(app, "viewer@example.test", Roles.Viewer);
        using var signedIn = await SignedIn.AsAsync(app, viewer.Email, "viewer-password-2468");
        var copied = signedIn.CookieHeader;
        await ExpectValidAsync(copied);

        using var admin = await SignedIn.AsAdminAsync(app);
        var remove = await admin.PostFormAsync("/members", "/members?handler=Remove", new Dictionary<string, string> { ["memberId"] = viewer.Id.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);

        await ExpectEndedAsync(copied);
    }

    private async Task ExpectValidAsync(string cookie)
    {
        using var client = SignedIn.WithCookie(app, cookie);
        var api = await client.GetAsync("/api/v1/sessions", Ct);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        var page = await client.GetAsync("/account", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private async Task ExpectEndedAsync(string cookie)
    {
        using var client = SignedIn.WithCookie(app, cookie);
        var api = await client.GetAsync("/api/v1/sessions", Ct);
        await ApiAssert.ProblemAsync(api, HttpStatusCode.Unauthorized, "unauthorized");
        var page = await client.GetAsync("/account", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/signin", page.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }
}
