using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Data.LiveKit;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.LiveKit;

public sealed class LiveKitIntegrationApiTests
{
    private const string Path = "/api/v1/integrations/livekit";
    private const string Secret = "a-livekit-api-secret-of-forty-characters!";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_connects_a_LiveKit_server_and_reads_back_the_key_and_url_but_never_the_secret()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();

        var put = await api.PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = Secret, server_url = "wss://livekit.example.test" }, Cancel);
        var get = await api.GetAsync(Path, Cancel);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        foreach (var response in new[] { put, get })
        {
            var text = await response.Content.ReadAsStringAsync(Cancel);
            var body = JsonDocument.Parse(text).RootElement;
            Assert.Equal("APIkey1", body.GetProperty("api_key").GetString());
            Assert.Equal("wss://livekit.example.test", body.GetProperty("server_url").GetString());
            Assert.Equal("2026-11-25T10:00:00.000Z", body.GetProperty("created_at").GetString());
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted_with_a_key_ring_kept_under_the_data_directory()
    {
        await using var app = new CallscopeApp();
        await app.Api().PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = Secret }, Cancel);

        var stored = app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId)!.ProtectedSecret;
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);

        // What a restarted process has: the key ring on disk under the data directory, and the same application name.
        var keys = new DirectoryInfo(System.IO.Path.Combine(app.DataDirectory, "keys"));
        Assert.NotEmpty(keys.GetFiles("key-*.xml"));
        var reopened = DataProtectionProvider.Create(keys, b => b.SetApplicationName("callscope"));
        Assert.Equal(Secret, reopened.CreateProtector("Callscope.LiveKit.ApiSecret.v1").Unprotect(stored));
    }

    [Fact]
    public async Task The_secret_may_be_left_out_to_keep_it_while_the_key_stays_the_same()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await api.PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = Secret }, Cancel);
        var before = app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId)!;
        app.MoveClockTo(CallscopeApp.Start.AddMinutes(1));

        var sameKey = await api.PutAsJsonAsync(Path, new { api_key = "APIkey1", server_url = "https://livekit.example.test/" }, Cancel);
        var newKey = await api.PutAsJsonAsync(Path, new { api_key = "APIkey2" }, Cancel);

        Assert.Equal(HttpStatusCode.OK, sameKey.StatusCode);
        var after = app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId)!;
        Assert.Equal(before.ProtectedSecret, after.ProtectedSecret);
        Assert.Equal("https://livekit.example.test/", after.ServerUrl);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.Equal(CallscopeApp.Start.AddMinutes(1), after.UpdatedAt);
        await AssertFieldError(newKey, "api_secret");
    }

    [Fact]
    public async Task An_API_key_belongs_to_one_team_only()
    {
        await using var app = new CallscopeApp();
        var other = app.CreateTeam("Other team");
        await app.Api().PutAsJsonAsync(Path, new { api_key = "APIshared", api_secret = Secret }, Cancel);

        var taken = await app.Api(other.Key).PutAsJsonAsync(Path, new { api_key = "APIshared", api_secret = "another-secret" }, Cancel);

        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var problem = await taken.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("livekit-key-in-use", problem.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api(other.Key).GetAsync(Path, Cancel)).StatusCode);
        Assert.Equal("APIshared", (await app.GetJsonAsync(Path)).GetProperty("api_key").GetString());
    }

    [Theory]
    [InlineData("""{"api_secret": "s"}""", "api_key")]
    [InlineData("""{"api_key": "APIkey1", "api_secret": ""}""", "api_secret")]
    [InlineData("""{"api_key": "APIkey1", "api_secret": 42}""", "api_secret")]
    [InlineData("""{"api_key": "APIkey1", "api_secret": "s", "server_url": "livekit.example.test"}""", "server_url")]
    [InlineData("""{"api_key": "APIkey1", "api_secret": "s", "server_url": "ftp://livekit.example.test"}""", "server_url")]
    public async Task An_invalid_integration_is_refused_field_by_field_and_changes_nothing(string body, string field)
    {
        await using var app = new CallscopeApp();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await app.Api().PutAsync(Path, content, Cancel);

        await AssertFieldError(response, field);
        Assert.Null(app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId));
    }

    [Fact]
    public async Task Disconnecting_removes_the_integration_and_a_second_time_finds_nothing()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        await api.PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = Secret }, Cancel);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(Path, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Path, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync(Path, Cancel)).StatusCode);
    }

    [Fact]
    public async Task The_integration_needs_an_authenticated_caller()
    {
        await using var app = new CallscopeApp();

        var response = await app.CreateClient().GetAsync(Path, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task AssertFieldError(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("validation-failed", problem.GetProperty("error").GetString());
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
    }
}
