using System.Net;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// Behind a reverse proxy named in <c>Callscope:Proxy</c>, the sign-in limit per address counts the client that
/// <c>X-Forwarded-For</c> names; from any other address the header is ignored, so that it cannot be used to dodge the
/// limit; and without the setting it is ignored from everyone.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private const string Proxy = "10.20.0.1";
    private readonly CallscopeApp app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Behind_a_known_proxy_the_sign_in_limit_counts_each_forwarded_client_on_its_own()
    {
        app.Settings["Callscope:Proxy:KnownProxies:0"] = Proxy;
        using var factory = app.WithPeerAddresses();
        using var first = Client(factory, Proxy, forwardedFor: "203.0.113.5");
        await SpendTheAddressLimitAsync(first);

        await ExpectTooManyAsync(await SignedIn.PostSignInAsync(first, "one-more@example.test", "wrong-guess"));
        using var second = Client(factory, Proxy, forwardedFor: "203.0.113.6");
        Assert.Equal(HttpStatusCode.OK, (await SignedIn.PostSignInAsync(second, "someone@example.test", "wrong-guess")).StatusCode);
    }

    [Fact]
    public async Task A_forwarded_address_from_a_peer_that_is_no_known_proxy_is_ignored()
    {
        app.Settings["Callscope:Proxy:KnownNetworks:0"] = "10.20.0.0/24";
        using var factory = app.WithPeerAddresses();
        using var stranger = Client(factory, "198.51.100.7", forwardedFor: "203.0.113.5");
        await SpendTheAddressLimitAsync(stranger);

        using var claimsAnother = Client(factory, "198.51.100.7", forwardedFor: "203.0.113.99");
        await ExpectTooManyAsync(await SignedIn.PostSignInAsync(claimsAnother, "one-more@example.test", "wrong-guess"));
    }

    [Fact]
    public async Task Without_known_proxies_forwarded_headers_are_ignored()
    {
        using var factory = app.WithPeerAddresses();
        using var proxied = Client(factory, Proxy, forwardedFor: "203.0.113.5");
        await SpendTheAddressLimitAsync(proxied);

        using var claimsAnother = Client(factory, Proxy, forwardedFor: "203.0.113.6");
        await ExpectTooManyAsync(await SignedIn.PostSignInAsync(claimsAnother, "one-more@example.test", "wrong-guess"));
    }

    [Fact]
    public async Task The_known_proxys_forwarded_https_and_host_count_as_the_requests_own()
    {
        app.Settings["environment"] = "Production";
        app.Settings["Callscope:Proxy:KnownProxies:0"] = Proxy;
        using var factory = app.WithPeerAddresses();

        // HSTS is sent only over HTTPS and never for localhost: the answer carries it only if both forwarded
        // headers were taken.
        Assert.True(await AnswersWithHstsAsync(factory, Proxy), "the proxy's X-Forwarded-Proto and -Host should be taken");
        Assert.False(await AnswersWithHstsAsync(factory, "198.51.100.7"), "another peer's X-Forwarded-Proto and -Host should be ignored");
    }

    private static async Task<bool> AnswersWithHstsAsync(WebApplicationFactory<Program> factory, string peer)
    {
        using var client = Client(factory, peer, forwardedFor: "203.0.113.5");
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-Host", "callscope.example");
        using var response = await client.GetAsync("/signin", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.Contains("Strict-Transport-Security");
    }

    [Fact]
    public async Task A_proxy_network_that_does_not_parse_stops_the_start_naming_the_setting()
    {
        using var process = CallscopeCommand.Start(
            ["--urls", "http://127.0.0.1:0"], app.DataDirectory, ("Callscope__Proxy__KnownNetworks__0", "10.0.0.0/99"));
        var (exit, output) = await process.FinishAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("Callscope:Proxy:KnownNetworks: '10.0.0.0/99' is not a network", output, StringComparison.Ordinal);
    }

    /// <summary>Ten wrong sign-ins to ten accounts: the address's limit, none of the accounts'.</summary>
    private static async Task SpendTheAddressLimitAsync(HttpClient client)
    {
        for (var i = 0; i < 10; i++)
        {
            var refused = await SignedIn.PostSignInAsync(client, $"someone-{i}@example.test", "wrong-guess");
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }
    }

    private static async Task ExpectTooManyAsync(HttpResponseMessage response)
    {
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "too-many-requests");
        Assert.Contains("this address", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static HttpClient Client(WebApplicationFactory<Program> factory, string peer, string forwardedFor)
    {
        var client = PeerAddresses.ClientFrom(factory, peer);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
