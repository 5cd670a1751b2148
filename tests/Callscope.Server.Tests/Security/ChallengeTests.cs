using System.Net;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Security;

/// <summary>Every 401 of the API says how to authenticate in WWW-Authenticate, with or without an Authorization header.</summary>
public sealed class ChallengeTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/v1/sessions")]
    [InlineData("GET", "/api/v1/team")]
    [InlineData("POST", "/api/v1/ingest/events")]
    [InlineData("PATCH", "/api/v1/team")]
    public async Task A_401_without_an_authorization_header_names_the_scheme(string method, string path)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };

        var response = await client.SendAsync(request, Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_401_with_a_wrong_key_names_the_schemes_too()
    {
        using var client = app.Api("not-a-key-of-any-team");

        var response = await client.GetAsync("/api/v1/sessions", Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }
}
