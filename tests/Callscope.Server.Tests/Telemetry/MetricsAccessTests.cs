using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c>: callers on this machine, callers with a developer key, everyone when the operator opens
/// it; and a listener of its own. The callers from elsewhere are real: the server listens on this machine's network
/// address and the test connects to that address, so the server sees a caller that is not loopback. They read the
/// writer's metrics, which another host stopping meanwhile could end (see <see cref="MetricsCollection"/>).
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class MetricsAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_caller_on_this_machine_is_served_without_a_key()
    {
        await using var app = new CallscopeApp();
        var server = app.StartOnKestrel();
        using var client = new HttpClient { BaseAddress = server };

        var metrics = await MetricsText.ScrapeAsync(client);

        Assert.True(metrics.Has("callscope_writer_queue_length"), metrics.Text);
    }

    [Fact]
    public async Task A_caller_from_another_address_needs_a_developer_key_of_any_team()
    {
        await using var app = new CallscopeApp();
        var server = StartOnNetworkAddress(app);
        var (_, otherKey) = app.CreateTeam("Other team");

        var anonymous = await GetAsync(server, "/metrics", key: null);
        var wrongKey = await GetAsync(server, "/metrics", key: "not-a-developer-key-000000000000");
        var first = await GetAsync(server, "/metrics", CallscopeApp.DeveloperKey);
        var other = await GetAsync(server, "/metrics", otherKey);

        AssertRefused(anonymous);
        AssertRefused(wrongKey);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains("callscope_writer_queue_length", first.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Contains("callscope_writer_queue_length", other.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_relayed_by_a_proxy_on_this_machine_is_not_a_local_caller()
    {
        await using var app = new CallscopeApp();
        var server = app.StartOnKestrel();

        var relayed = await GetAsync(server, "/metrics", key: null, ("X-Forwarded-For", "203.0.113.7"));
        var forwarded = await GetAsync(server, "/metrics", key: null, ("Forwarded", "for=203.0.113.7"));
        var withKey = await GetAsync(server, "/metrics", CallscopeApp.DeveloperKey, ("X-Forwarded-For", "203.0.113.7"));

        AssertRefused(relayed);
        AssertRefused(forwarded);
        Assert.Equal(HttpStatusCode.OK, withKey.Status);
    }

    [Fact]
    public async Task The_operator_can_open_metrics_to_every_caller()
    {
        await using var app = new CallscopeApp();
        app.Settings["Callscope:Telemetry:OpenMetrics"] = "true";
        var server = StartOnNetworkAddress(app);

        var anonymous = await GetAsync(server, "/metrics", key: null);

        Assert.Equal(HttpStatusCode.OK, anonymous.Status);
        Assert.Contains("callscope_writer_queue_length", anonymous.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_of_its_own_serves_metrics_there_and_nowhere_else()
    {
        var port = Readiness.FreePort();
        await using var app = new CallscopeApp();
        app.Settings["Callscope:Telemetry:MetricsUrl"] = $"http://127.0.0.1:{port}";
        var own = new Uri($"http://127.0.0.1:{port}");

        var main = await GetAsync(app.Api(), "/metrics");
        var there = await GetAsync(own, "/metrics", key: null);
        var elsewhere = await GetAsync(own, "/api/v1/sessions", CallscopeApp.DeveloperKey);
        var relayed = await GetAsync(own, "/metrics", key: null, ("X-Forwarded-For", "203.0.113.7"));

        Assert.Equal(HttpStatusCode.NotFound, main.Status);
        Assert.DoesNotContain("callscope_", main.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, there.Status);
        Assert.Contains("callscope_writer_queue_length", there.Body, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", there.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.Status);
        Assert.Equal("not-found", JsonDocument.Parse(elsewhere.Body).RootElement.GetProperty("error").GetString());
        AssertRefused(relayed);
    }

    [Theory]
    [InlineData("MetricsUrl", "https://0.0.0.0:9464")]
    [InlineData("MetricsUrl", "http://0.0.0.0:9464/metrics")]
    [InlineData("MetricsUrl", "not a url")]
    [InlineData("OtlpEndpoint", "collector:4317")]
    [InlineData("OtlpProtocol", "http/json")]
    public void A_wrong_telemetry_setting_is_refused_naming_the_key(string key, string value)
    {
        var problems = Validate(key, value);

        var problem = Assert.Single(problems);
        Assert.Contains("Callscope:Telemetry:" + key, problem.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([key], problem.MemberNames);
    }

    [Theory]
    [InlineData("MetricsUrl", "http://0.0.0.0:9464")]
    [InlineData("MetricsUrl", "http://[::1]:9464/")]
    [InlineData("OtlpEndpoint", "http://collector:4317")]
    [InlineData("OtlpEndpoint", "https://otlp.example.com/")]
    [InlineData("OtlpProtocol", "http/protobuf")]
    public void A_right_telemetry_setting_is_taken(string key, string value)
    {
        Assert.Empty(Validate(key, value));
    }

    private static List<System.ComponentModel.DataAnnotations.ValidationResult> Validate(string key, string value)
    {
        var options = new Callscope.Server.Telemetry.TelemetryOptions();
        switch (key)
        {
            case "MetricsUrl":
                options.MetricsUrl = value;
                break;
            case "OtlpEndpoint":
                options.OtlpEndpoint = new Uri(value, UriKind.RelativeOrAbsolute);
                break;
            default:
                options.OtlpProtocol = value;
                break;
        }

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results;
    }

    private static void AssertRefused((HttpStatusCode Status, string Body, string? Challenge) answer)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("Bearer realm=\"callscope\"", answer.Challenge);
        Assert.DoesNotContain("callscope_", answer.Body, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("unauthorized", problem.GetProperty("error").GetString());
    }

    /// <summary>Serves the app on this machine's first network (non-loopback) IPv4 address.</summary>
    private static Uri StartOnNetworkAddress(CallscopeApp app)
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "this machine has no network address other than loopback to call the server from");
        app.UseKestrel(options => options.Listen(address, 0));
        app.StartServer();
        var server = app.ClientOptions.BaseAddress;
        Assert.Equal(address.ToString(), server.Host);
        return server;
    }

    private static async Task<(HttpStatusCode Status, string Body, string? Challenge)> GetAsync(
        Uri server, string path, string? key, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = server };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        foreach (var (name, value) in headers)
        {
            client.DefaultRequestHeaders.Add(name, value);
        }

        return await GetAsync(client, path);
    }

    private static async Task<(HttpStatusCode Status, string Body, string? Challenge)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.WwwAuthenticate.ToString() is { Length: > 0 } c ? c : null);
    }
}
