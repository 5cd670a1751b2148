using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Data.LiveKit;
using Callscope.Server.Outbound;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>
/// Requests Callscope makes to other servers (LiveKit's RoomService today) reach public addresses only, unless the
/// operator allows private networks: checked when a URL is saved, and again on the address actually connected to.
/// </summary>
public sealed class OutboundTests
{
    private const string Path = "/api/v1/integrations/livekit";
    private const string AllowSetting = "Callscope:Outbound:AllowPrivateNetworks";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.255.254", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("10.0.0.1", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("192.168.1.10", AddressKind.Private)]
    [InlineData("100.64.0.1", AddressKind.Private)]
    [InlineData("100.127.255.255", AddressKind.Private)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("fd12:3456::1", AddressKind.Private)]
    [InlineData("fec0::1", AddressKind.Private)]
    [InlineData("::ffff:10.1.2.3", AddressKind.Private)]
    [InlineData("64:ff9b:1::a00:1", AddressKind.Private)]
    [InlineData("169.254.169.254", AddressKind.LinkLocal)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("::ffff:169.254.169.254", AddressKind.LinkLocal)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressKind.LinkLocal)]
    [InlineData("2002:a9fe:a9fe::1", AddressKind.LinkLocal)]
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("239.255.255.250", AddressKind.Multicast)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("::ffff:0.0.0.0", AddressKind.Unspecified)]
    [InlineData("0.1.2.3", AddressKind.Reserved)]
    [InlineData("255.255.255.255", AddressKind.Reserved)]
    [InlineData("240.0.0.1", AddressKind.Reserved)]
    [InlineData("192.0.2.1", AddressKind.Reserved)]
    [InlineData("198.18.0.1", AddressKind.Reserved)]
    [InlineData("::127.0.0.1", AddressKind.Reserved)]
    [InlineData("::8.8.8.8", AddressKind.Reserved)]
    [InlineData("2001::1", AddressKind.Reserved)]
    [InlineData("2001:db8::1", AddressKind.Reserved)]
    [InlineData("100::1", AddressKind.Reserved)]
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("100.63.255.255", AddressKind.Public)]
    [InlineData("100.128.0.0", AddressKind.Public)]
    [InlineData("172.32.0.1", AddressKind.Public)]
    [InlineData("::ffff:8.8.8.8", AddressKind.Public)]
    [InlineData("64:ff9b::808:808", AddressKind.Public)]
    [InlineData("2002:808:808::1", AddressKind.Public)]
    [InlineData("2606:4700:4700::1111", AddressKind.Public)]
    public void Addresses_are_classified_by_what_they_reach(string address, AddressKind kind)
    {
        Assert.Equal(kind, NetworkAddresses.Classify(IPAddress.Parse(address)));
    }

    [Fact]
    public void The_operator_setting_opens_loopback_and_private_networks_and_nothing_else()
    {
        foreach (var kind in Enum.GetValues<AddressKind>())
        {
            var sample = IPAddress.Parse(kind switch
            {
                AddressKind.Public => "8.8.8.8",
                AddressKind.Loopback => "127.0.0.1",
                AddressKind.Private => "10.0.0.1",
                AddressKind.LinkLocal => "169.254.169.254",
                AddressKind.Multicast => "224.0.0.1",
                AddressKind.Unspecified => "0.0.0.0",
                _ => "240.0.0.1",
            });
            Assert.Equal(kind == AddressKind.Public, NetworkAddresses.IsAllowed(sample, allowPrivateNetworks: false));
            Assert.Equal(kind is AddressKind.Public or AddressKind.Loopback or AddressKind.Private, NetworkAddresses.IsAllowed(sample, allowPrivateNetworks: true));
        }
    }

    public static TheoryData<string> UnsafeUrls => new()
    {
        "http://127.0.0.1:7880",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.0.0.1/",
        "http://017700000001/",
        "http://localhost:7880",
        "http://LOCALHOST./",
        "ws://livekit.localhost",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1",
        "https://192.168.1.10:7880",
        "https://172.16.5.4",
        "http://100.64.0.1",
        "http://0.0.0.0:7880",
        "http://224.0.0.1",
        "http://255.255.255.255",
        "http://[::1]:7880",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd00:ec2::254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::1]/",
        "http://[ff02::1]/",
        "https://user:password@livekit.example.com",
        "https://user@livekit.example.com",
        "https://livekit.example.com:443@127.0.0.1/",
    };

    [Theory]
    [MemberData(nameof(UnsafeUrls))]
    public async Task A_server_url_that_is_not_a_public_address_is_refused_when_saved(string url)
    {
        await using var app = new CallscopeApp();

        var response = await app.Api().PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = "secret", server_url = url }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("validation-failed", problem.GetProperty("error").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("server_url", error.GetProperty("field").GetString());
        Assert.Contains("'server_url'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId));
    }

    [Theory]
    [InlineData("https://livekit.example.com")]
    [InlineData("wss://livekit.example.com:7880/")]
    [InlineData("http://8.8.8.8:7880")]
    [InlineData("https://[2606:4700:4700::1111]/")]
    [InlineData("https://123.example.com")]
    public async Task A_public_server_url_is_saved(string url)
    {
        await using var app = new CallscopeApp();

        var response = await app.Api().PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = "secret", server_url = url }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(url, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("server_url").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:7880", true)]
    [InlineData("http://localhost:7880", true)]
    [InlineData("http://10.0.0.1", true)]
    [InlineData("http://100.64.0.1", true)]
    [InlineData("http://[::1]:7880", true)]
    [InlineData("http://[fd00::1]/", true)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("http://0.0.0.0/", false)]
    [InlineData("http://224.0.0.1/", false)]
    [InlineData("http://2130706433/", false)]
    [InlineData("http://user:password@10.0.0.1/", false)]
    public async Task Allowing_private_networks_opens_loopback_and_private_addresses_only(string url, bool saved)
    {
        await using var app = new CallscopeApp();
        app.Settings[AllowSetting] = "true";

        var response = await app.Api().PutAsJsonAsync(Path, new { api_key = "APIkey1", api_secret = "secret", server_url = url }, Ct);

        Assert.Equal(saved ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(saved, app.Services.GetRequiredService<LiveKitIntegrationStore>().ForTeam(app.TeamId) is not null);
    }

    [Fact]
    public async Task A_name_that_resolves_to_a_private_address_when_connecting_is_refused_without_a_connection()
    {
        await using var server = CannedHttpServer.Answering("HTTP/1.1 200 OK");
        var resolved = new List<string>();
        using var client = new HttpClient(OutboundHandler.Create(false, (host, _) =>
        {
            resolved.Add(host);
            return Task.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse("10.0.0.7") });
        }));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://rebinding.example.com:{server.Port}/", Ct));

        Assert.True(OutboundHandler.IsRefusal(error));
        Assert.Equal(["rebinding.example.com"], resolved);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_name_is_connected_to_at_the_address_checked_when_private_networks_are_allowed()
    {
        await using var server = CannedHttpServer.Answering("HTTP/1.1 200 OK", "{}"u8.ToArray());
        using var client = new HttpClient(OutboundHandler.Create(true, (_, _) => Task.FromResult(new[] { IPAddress.Parse("169.254.169.254"), IPAddress.Loopback })));

        using var response = await client.GetAsync($"http://livekit.internal.example:{server.Port}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task A_literal_private_address_is_refused_at_connect_too()
    {
        await using var server = CannedHttpServer.Answering("HTTP/1.1 200 OK");
        using var client = new HttpClient(OutboundHandler.Create(false));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url, Ct));

        Assert.True(OutboundHandler.IsRefusal(error));
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var server = CannedHttpServer.Answering("HTTP/1.1 302 Found\r\nLocation: /again");
        using var client = new HttpClient(OutboundHandler.Create(true));

        using var response = await client.PostAsync(server.Url, new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task An_endless_answer_is_read_only_up_to_the_bound()
    {
        await using var server = CannedHttpServer.Endless(500);
        using var client = new HttpClient(OutboundHandler.Create(true));
        using var response = await client.GetAsync(server.Url, HttpCompletionOption.ResponseHeadersRead, Ct);

        var prefix = await OutboundHandler.ReadPrefixAsync(response.Content, OutboundHandler.MaxAnswerBytes, Ct);

        Assert.Equal(OutboundHandler.MaxAnswerBytes, prefix.Length);
        Assert.StartsWith("{\"code\":\"xxxx", System.Text.Encoding.ASCII.GetString(prefix), StringComparison.Ordinal);
    }
}
