using System.Net;
using System.Net.Http.Json;
using System.Text;
using Callscope.Server.Tests.Infrastructure;
using static Callscope.Server.Tests.Browser.BrowserClient;

namespace Callscope.Server.Tests.Browser;

/// <summary>
/// CORS for browser ingest: the team's <c>allowed_origins</c> (set and read on <c>/api/v1/team</c>), the preflight, and
/// the grant on the answer; a foreign origin gets no grant and its events are refused.
/// </summary>
public sealed class BrowserOriginTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(-5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Allowed_origins_are_normalised_kept_in_order_and_cleared_with_null()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/team")).GetProperty("allowed_origins").GetArrayLength());

        var patched = await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team",
            AllowOrigins("https://b.example.com", "HTTPS://App.Example.com:443/", "http://localhost:5173", "https://b.example.com"), Ct));

        string[] expected = ["https://b.example.com", "https://app.example.com", "http://localhost:5173"];
        Assert.Equal(expected, patched.GetProperty("allowed_origins").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(expected, (await ApiAssert.GetAsync(api, "/api/v1/team")).GetProperty("allowed_origins").EnumerateArray().Select(o => o.GetString()));

        // Other settings leave the origins alone; null clears them.
        await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", new { name = "Renamed" }, Ct));
        Assert.Equal(3, (await ApiAssert.GetAsync(api, "/api/v1/team")).GetProperty("allowed_origins").GetArrayLength());
        using var clear = new StringContent("""{"allowed_origins":null}""", Encoding.UTF8, "application/json");
        Assert.Equal(0, (await ApiAssert.OkAsync(await api.PatchAsync("/api/v1/team", clear, Ct))).GetProperty("allowed_origins").GetArrayLength());
    }

    public static TheoryData<string> NotOrigins => new()
    {
        "\"app.example.com\"",
        "\"ftp://app.example.com\"",
        "\"https://app.example.com/path\"",
        "\"https://app.example.com?q=1\"",
        "\"https://user@app.example.com\"",
        "\"*\"",
        "42",
        "\"https://" + new string('a', 300) + ".com\"",
    };

    [Theory]
    [MemberData(nameof(NotOrigins))]
    public async Task Something_that_is_not_an_origin_is_a_400_and_changes_nothing(string item)
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await ApiAssert.OkAsync(await api.PatchAsJsonAsync("/api/v1/team", AllowOrigins("https://kept.example.com"), Ct));
        using var content = new StringContent($$"""{"name":"Changed","allowed_origins":["https://new.example.com",{{item}}]}""", Encoding.UTF8, "application/json");

        var problem = await ApiAssert.ProblemAsync(await api.PatchAsync("/api/v1/team", content, Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Equal("allowed_origins", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        var team = await ApiAssert.GetAsync(api, "/api/v1/team");
        Assert.Equal("https://kept.example.com", Assert.Single(team.GetProperty("allowed_origins").EnumerateArray()).GetString());
        Assert.NotEqual("Changed", team.GetProperty("name").GetString());
    }

    [Fact]
    public async Task More_than_fifty_origins_are_a_400()
    {
        await using var app = new CallscopeApp();
        var body = new { allowed_origins = Enumerable.Range(0, 51).Select(i => $"https://a{i}.example.com").ToArray() };

        var tooMany = await app.Api().PatchAsJsonAsync("/api/v1/team", body, Ct);

        await ApiAssert.ProblemAsync(tooMany, HttpStatusCode.BadRequest, "validation-failed");
    }

    [Fact]
    public async Task A_preflight_is_granted_to_an_allowed_origin_only()
    {
        await using var app = new CallscopeApp();
        await ApiAssert.OkAsync(await app.Api().PatchAsJsonAsync("/api/v1/team", AllowOrigins("https://app.example.com"), Ct));

        var allowed = await PreflightAsync(app, "https://app.example.com");
        var foreign = await PreflightAsync(app, "https://evil.example.net");

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://app.example.com", Single(allowed, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Single(allowed, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("authorization", Single(allowed, "Access-Control-Allow-Headers")!.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Equal("true", Single(allowed, "Access-Control-Allow-Private-Network"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Private-Network"));
    }

    [Fact]
    public async Task Events_from_a_foreign_origin_are_refused_and_those_from_an_allowed_one_are_granted()
    {
        await using var app = new CallscopeApp();
        await ApiAssert.OkAsync(await app.Api().PatchAsJsonAsync("/api/v1/team", AllowOrigins("https://app.example.com"), Ct));
        var token = await TokenAsync(app);

        var foreign = await SendAsync(app, token, Batch(Event("participant_joined", T)), origin: "https://evil.example.net");
        var allowed = await SendAsync(app, token, Batch(Event("participant_joined", T)), origin: "https://app.example.com");
        var own = await SendAsync(app, token, Batch(Event("page_visible", T.AddSeconds(1))), origin: "http://localhost");

        await ApiAssert.ProblemAsync(foreign, HttpStatusCode.Forbidden, "forbidden");
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Equal("https://app.example.com", Single(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(2, (await LogAsync(app.Api(), "browser-call", "ana")).Count);
    }

    [Fact]
    public async Task One_teams_origin_does_not_let_its_pages_write_with_another_teams_token()
    {
        await using var app = new CallscopeApp();
        var (_, otherKey) = app.CreateTeam("Other");
        await ApiAssert.OkAsync(await app.Api(otherKey).PatchAsJsonAsync("/api/v1/team", AllowOrigins("https://other.example.com"), Ct));
        var ours = await TokenAsync(app);

        var response = await SendAsync(app, ours, Batch(Event("participant_joined", T)), origin: "https://other.example.com");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    private static object AllowOrigins(params string[] origins) => new { allowed_origins = origins };

    private static async Task<HttpResponseMessage> PreflightAsync(CallscopeApp app, string origin)
    {
        using var message = new HttpRequestMessage(HttpMethod.Options, IngestPath);
        message.Headers.Add("Origin", origin);
        message.Headers.Add("Access-Control-Request-Method", "POST");
        message.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        message.Headers.Add("Access-Control-Request-Private-Network", "true");
        return await app.CreateClient().SendAsync(message, Ct);
    }

    private static string? Single(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : null;
}
