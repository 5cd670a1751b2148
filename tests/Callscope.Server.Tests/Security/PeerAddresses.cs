using System.Net;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// The app with each connection's peer address taken from a test header, as if the request came from there: how the
/// tests of limits per client address and of forwarded headers play several clients in one process.
/// </summary>
internal static class PeerAddresses
{
    private const string Header = "X-Test-Peer-Address";

    public static WebApplicationFactory<Program> WithPeerAddresses(this CallscopeApp app) => app.WithWebHostBuilder(b => b.ConfigureServices(s =>
        s.AddSingleton<IStartupFilter>(new PeerAddressFilter())));

    /// <summary>A browser-like client of <paramref name="factory"/> whose requests come from <paramref name="address"/>.</summary>
    public static HttpClient ClientFrom(WebApplicationFactory<Program> factory, string address)
    {
        var client = SignedIn.Browser(factory).Client;
        client.DefaultRequestHeaders.Add(Header, address);
        return client;
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use((context, following) =>
            {
                if (context.Request.Headers[Header] is [{ } address])
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address);
                }

                return following(context);
            });
            next(builder);
        };
    }
}
