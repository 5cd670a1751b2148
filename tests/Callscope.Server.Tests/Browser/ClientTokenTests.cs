using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Browser;

/// <summary><c>POST /api/v1/client-tokens</c>: what a token says, when it expires, and every way a request for one can be wrong.</summary>
public sealed class ClientTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_names_its_room_and_participant_and_expires_after_its_lifetime()
    {
        await using var app = new CallscopeApp();

        var body = await ApiAssert.OkAsync(await app.Api().PostAsJsonAsync("/api/v1/client-tokens",
            new { room = "browser-call", participant = new { external_id = "ana", name = "Ana", role = "moderator" }, ttl_seconds = 600 }, Ct));

        Assert.Equal(CallscopeApp.Start.AddSeconds(600), body.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal("browser-call", body.GetProperty("room").GetString());
        Assert.Equal("ana", body.GetProperty("participant").GetProperty("external_id").GetString());
        var claims = Payload(body.GetProperty("token").GetString()!);
        Assert.Equal("callscope", claims.GetProperty("iss").GetString());
        Assert.Equal("ana", claims.GetProperty("sub").GetString());
        Assert.Equal("browser-call", claims.GetProperty("room").GetString());
        Assert.Equal(CallscopeApp.Start.AddSeconds(600).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Without_a_lifetime_a_token_lasts_an_hour_and_a_room_may_be_given_by_its_id()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        var room = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "by-id" }, Ct));

        var body = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/client-tokens",
            new { room = room.GetProperty("id").GetString(), participant = new { external_id = "ana" } }, Ct));

        Assert.Equal(CallscopeApp.Start.AddHours(1), body.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal("by-id", body.GetProperty("room").GetString());
        var missing = await api.PostAsJsonAsync("/api/v1/client-tokens",
            new { room = Guid.NewGuid().ToString(), participant = new { external_id = "ana" } }, Ct);
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.NotFound, "not-found");
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"participant":{"external_id":"ana"}}""", "room" },
        { """{"room":"","participant":{"external_id":"ana"}}""", "room" },
        { """{"room":"live","participant":{"external_id":"ana"}}""", "room" },
        { """{"room":"a/b","participant":{"external_id":"ana"}}""", "room" },
        { """{"room":42,"participant":{"external_id":"ana"}}""", "room" },
        { """{"room":"r"}""", "participant" },
        { """{"room":"r","participant":"ana"}""", "participant" },
        { """{"room":"r","participant":{}}""", "participant.external_id" },
        { """{"room":"r","participant":{"external_id":""}}""", "participant.external_id" },
        { """{"room":"r","participant":{"external_id":"ana\u0007"}}""", "participant.external_id" },
        { """{"room":"r","participant":{"external_id":"ana","role":7}}""", "participant.role" },
        { """{"room":"r","participant":{"external_id":"ana"},"ttl_seconds":59}""", "ttl_seconds" },
        { """{"room":"r","participant":{"external_id":"ana"},"ttl_seconds":86401}""", "ttl_seconds" },
        { """{"room":"r","participant":{"external_id":"ana"},"ttl_seconds":"1h"}""", "ttl_seconds" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task A_wrong_request_is_a_400_naming_the_field(string json, string field)
    {
        await using var app = new CallscopeApp();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        var problem = await ApiAssert.ProblemAsync(await app.Api().PostAsync("/api/v1/client-tokens", content, Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task Only_the_developer_key_or_an_admin_gets_tokens()
    {
        await using var app = new CallscopeApp();

        var anonymous = await app.CreateClient().PostAsJsonAsync("/api/v1/client-tokens", new { room = "r", participant = new { external_id = "ana" } }, Ct);
        var wrongKey = await app.Api("not-the-key-0000000000000000000000").PostAsJsonAsync("/api/v1/client-tokens", new { room = "r", participant = new { external_id = "ana" } }, Ct);

        await ApiAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(wrongKey, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static JsonElement Payload(string token)
    {
        var part = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part += new string('=', (4 - (part.Length % 4)) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(part)).RootElement;
    }
}
