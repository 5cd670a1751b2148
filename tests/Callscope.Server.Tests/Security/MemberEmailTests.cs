using System.Net;
using System.Text.Json;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// An e-mail address is unique within a team only, so adding a member never tells whether the address belongs to
/// someone in another team; one address in two teams signs in to the team whose member's password it is.
/// </summary>
public sealed class MemberEmailTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Adding_another_teams_member_answers_as_adding_a_new_address()
    {
        var (otherTeam, _) = app.CreateTeam("Other team");
        SignedIn.AddMember(app, "boss@other.example", Roles.Admin, "other-teams-passphrase", otherTeam);
        using var admin = await SignedIn.AsAdminAsync(app);

        var taken = await AddAsync(admin, "boss@other.example");
        var fresh = await AddAsync(admin, "nobody@else.example");

        Assert.Equal(HttpStatusCode.Redirect, taken.Status);
        Assert.Equal(fresh.Status, taken.Status);
        Assert.Contains("nobody@else.example was added as viewer.", fresh.Page, StringComparison.Ordinal);
        Assert.Contains("boss@other.example was added as viewer.", taken.Page, StringComparison.Ordinal);
        Assert.DoesNotContain("already", taken.Page, StringComparison.OrdinalIgnoreCase);
        var members = app.Services.GetRequiredService<TeamStore>().Members(app.TeamId);
        Assert.Contains(members, m => m.Email == "boss@other.example" && m.Role == Roles.Viewer);
        Assert.Single(app.Services.GetRequiredService<TeamStore>().Members(otherTeam));
    }

    [Fact]
    public async Task An_address_already_in_the_team_is_refused_whatever_its_letter_case()
    {
        SignedIn.AddMember(app, "ana@example.test", Roles.Viewer);
        using var admin = await SignedIn.AsAdminAsync(app);

        var again = await AddAsync(admin, "ANA@example.test");

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("already belongs to a member of this team", again.Page, StringComparison.Ordinal);
        Assert.Single(app.Services.GetRequiredService<TeamStore>().Members(app.TeamId), m => m.Email.Equals("ana@example.test", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task One_address_in_two_teams_signs_in_to_the_team_whose_password_it_is()
    {
        var (otherTeam, _) = app.CreateTeam("Other team");
        SignedIn.AddMember(app, "both@example.test", Roles.Viewer, "first-team-passphrase");
        SignedIn.AddMember(app, "both@example.test", Roles.Admin, "second-team-passphrase", otherTeam);

        using var first = await SignedIn.AsAsync(app, "both@example.test", "first-team-passphrase");
        using var second = await SignedIn.AsAsync(app, "both@example.test", "second-team-passphrase");

        Assert.Equal(app.TeamId.ToString(), await TeamIdAsync(first));
        Assert.Equal(otherTeam.ToString(), await TeamIdAsync(second));
        using var wrong = SignedIn.Browser(app).Client;
        var refused = await SignedIn.PostSignInAsync(wrong, "both@example.test", "neither-teams-passphrase");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("The email address or the password is not right.", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<string?> TeamIdAsync(SignedIn member)
    {
        var team = await ApiAssert.GetAsync(member.Client, "/api/v1/team");
        return team.GetProperty("id").GetString();
    }

    private static async Task<(HttpStatusCode Status, string Page)> AddAsync(SignedIn admin, string email)
    {
        var response = await admin.PostFormAsync("/members", "/members?handler=Add", new Dictionary<string, string>
        {
            ["Form.Email"] = email,
            ["Form.Role"] = Roles.Viewer,
            ["Form.Password"] = "a-first-rare-passphrase",
        });
        var status = response.StatusCode;
        var page = status == HttpStatusCode.Redirect
            ? await admin.Client.GetStringAsync(response.Headers.Location!, Ct)
            : await response.Content.ReadAsStringAsync(Ct);
        return (status, StripTokens(page));
    }

    /// <summary>Anti-forgery tokens differ on every page; the rest must not.</summary>
    private static string StripTokens(string page) =>
        System.Text.RegularExpressions.Regex.Replace(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"", "TOKEN");
}
