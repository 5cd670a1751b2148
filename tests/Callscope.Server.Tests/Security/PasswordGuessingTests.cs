using System.Net;
using System.Net.Http.Headers;
using Callscope.Data.Teams;
using Callscope.Server.Auth;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// Common passwords are refused wherever a password is set; sign-in tries are limited per client address and per
/// account, current-password checks per member; every refusal for too many tries is a 429 problem with Retry-After.
/// </summary>
public sealed class PasswordGuessingTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    public static TheoryData<string> Common => ["password", "12345678", "qwertyuiop", "PassWord", "iloveyou", "sunshine1", "FOOTBALL"];

    [Theory]
    [MemberData(nameof(Common))]
    public async Task The_members_page_refuses_a_common_first_password(string password)
    {
        using var admin = await SignedIn.AsAdminAsync(app);

        var response = await admin.PostFormAsync("/members", "/members?handler=Add", new Dictionary<string, string>
        {
            ["Form.Email"] = "new@example.test",
            ["Form.Role"] = Roles.Viewer,
            ["Form.Password"] = password,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("one of the most commonly used", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Services.GetRequiredService<TeamStore>().Members(app.TeamId), m => m.Email == "new@example.test");
    }

    [Theory]
    [MemberData(nameof(Common))]
    public async Task The_account_page_refuses_a_common_new_password(string password)
    {
        using var admin = await SignedIn.AsAdminAsync(app);

        var response = await admin.PostFormAsync("/account", "/account", new Dictionary<string, string>
        {
            ["Form.Current"] = CallscopeApp.AdminPassword,
            ["Form.New"] = password,
            ["Form.Repeat"] = password,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("one of the most commonly used", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var again = SignedIn.Browser(app).Client;
        Assert.Equal(HttpStatusCode.Redirect, (await SignedIn.PostSignInAsync(again, CallscopeApp.AdminEmail, CallscopeApp.AdminPassword)).StatusCode);
    }

    [Fact]
    public void The_bootstrap_admin_password_may_not_be_a_common_one()
    {
        var validator = new BootstrapOptionsValidator();
        var options = new Callscope.Server.Hosting.CallscopeOptions { Bootstrap = { AdminPassword = "iloveyou1" } };

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Callscope:Bootstrap:AdminPassword", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("most commonly used", result.FailureMessage, StringComparison.Ordinal);
        options.Bootstrap.AdminPassword = "violet-harbour-kettle-71";
        Assert.True(validator.Validate(null, options).Succeeded);

        // The server does not start with it.
        using var common = new CallscopeApp();
        common.Settings["Callscope:Bootstrap:AdminPassword"] = "iloveyou1";
        Assert.ThrowsAny<InvalidOperationException>(() => common.CreateClient());
        Assert.False(File.Exists(Path.Combine(common.DataDirectory, "callscope.db")) && TeamCount(common.DataDirectory) > 0);
    }

    private static long TeamCount(string folder)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "callscope.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'teams'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT COUNT(*) FROM teams";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Every_password_of_the_shipped_list_is_refused_and_a_rare_one_is_not()
    {
        var lines = File.ReadAllLines(Path.Combine(Root(), "src", "Callscope.Server", "Auth", "common-passwords.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var attribute = new NotCommonPasswordAttribute();

        Assert.True(lines.Count >= 10_000, $"the list has {lines.Count} passwords");
        Assert.All(lines, p => Assert.False(attribute.IsValid(p), p));
        Assert.All(lines.Take(500), p => Assert.False(attribute.IsValid(p.ToUpperInvariant()), p));
        Assert.True(attribute.IsValid("violet-harbour-kettle-71"));
    }

    [Fact]
    public async Task Sign_in_tries_are_limited_per_account_whatever_the_address()
    {
        using var factory = app.WithPeerAddresses();
        var tries = 0;
        foreach (var address in new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" })
        {
            using var client = PeerAddresses.ClientFrom(factory, address);
            for (var i = 0; i < 4 && tries < PasswordAttempts.PerAccount; i++, tries++)
            {
                var refused = await SignedIn.PostSignInAsync(client, CallscopeApp.AdminEmail, "wrong-guess-" + tries);
                Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            }
        }

        using var fresh = PeerAddresses.ClientFrom(factory, "127.0.0.9");
        var limited = await SignedIn.PostSignInAsync(fresh, CallscopeApp.AdminEmail, CallscopeApp.AdminPassword);
        await ExpectTooManyAsync(limited);

        // Another account from the same address is not held back.
        SignedIn.AddMember(app, "viewer@example.test", Roles.Viewer);
        Assert.Equal(HttpStatusCode.Redirect, (await SignedIn.PostSignInAsync(fresh, "viewer@example.test", "viewer-password-2468")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_tries_are_limited_per_address_with_a_problem_and_retry_after()
    {
        using var factory = app.WithPeerAddresses();
        using var client = PeerAddresses.ClientFrom(factory, "127.0.0.5");
        for (var i = 0; i < 10; i++)
        {
            var refused = await SignedIn.PostSignInAsync(client, $"someone-{i}@example.test", "wrong-guess");
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        await ExpectTooManyAsync(await SignedIn.PostSignInAsync(client, "someone-else@example.test", "wrong-guess"));
    }

    [Fact]
    public async Task Current_password_checks_on_the_account_page_are_limited()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        for (var i = 0; i < PasswordAttempts.PerAccount; i++)
        {
            var wrong = await admin.PostFormAsync("/account", "/account", Change("wrong-current-" + i));
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("That is not your current password.", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await ExpectTooManyAsync(await admin.PostFormAsync("/account", "/account", Change(CallscopeApp.AdminPassword)));
        using var again = SignedIn.Browser(app).Client;
        Assert.Equal(HttpStatusCode.Redirect, (await SignedIn.PostSignInAsync(again, CallscopeApp.AdminEmail, CallscopeApp.AdminPassword)).StatusCode);
    }

    private static Dictionary<string, string> Change(string current) => new()
    {
        ["Form.Current"] = current,
        ["Form.New"] = "a-new-and-rare-passphrase",
        ["Form.Repeat"] = "a-new-and-rare-passphrase",
    };

    private static async Task ExpectTooManyAsync(HttpResponseMessage response)
    {
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "too-many-requests");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal((int)retryAfter!.Value.TotalSeconds, problem.GetProperty("retry_after").GetInt32());
    }

    private static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Callscope.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
