using System.Text.Json;
using System.Text.RegularExpressions;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>One app with the call scenario, shared by the contract's cases (they only read, or add what no case reads).</summary>
public sealed class ScenarioFixture : IAsyncLifetime
{
    public CallscopeApp App { get; } = new();

    public HttpClient Api { get; private set; } = null!;

    public CallScenario Scenario { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Api = App.Api();
        Scenario = await CallScenario.CreateAsync(App, Api);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// SPEC section 4: every Digital Samba endpoint Callscope serves answers with every field of the documented example,
/// with its JSON kind (<see cref="DigitalSambaContract"/>, generated from Digital Samba's OpenAPI document), on real data.
/// </summary>
public sealed partial class DigitalSambaContractTests(ScenarioFixture fixture) : IClassFixture<ScenarioFixture>
{
    /// <summary>Arrays that must hold items for their items' fields to be checked at all.</summary>
    private static readonly string[] Filled = ["[]", "data[]", "live_participants[]", "data[].live_participants[]"];

    public static TheoryData<string> Operations() => [.. DigitalSambaContract.Operations.Select(o => o.ToString())];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task A_served_operation_answers_with_every_documented_field_and_its_kind(string name)
    {
        var operation = DigitalSambaContract.Operations.Single(o => o.ToString() == name);
        var webhooks = operation.Path.StartsWith("/api/v1/webhooks", StringComparison.Ordinal);
        object? body = (operation.Method, webhooks) switch
        {
            ("POST", true) => CallScenario.NewWebhook("Contract hook", "callscope", ["session_ended"], "token-123"),
            ("PATCH", true) => CallScenario.NewWebhook("Contract hook, changed", "callscope-changed", ["session_ended", "participant_joined"], "token-456"),
            ("POST", false) => new { friendly_url = "contract-room", description = "Created by the contract" },
            ("PATCH", false) => new { description = "Daily standup, changed" },
            _ => null,
        };

        foreach (var url in fixture.Scenario.FillEach(operation.Path))
        {
            var answer = await CallScenario.SendAsync(fixture.Api, operation.Method, url, body);

            Assert.Empty(DigitalSambaContract.Mismatches(operation, answer));
            foreach (var array in Filled.Where(a => operation.Fields.Any(f => f.Path.StartsWith(a, StringComparison.Ordinal))))
            {
                Assert.True(DigitalSambaContract.Resolve(answer, array).Any(), $"{url}: {array} has no items to check");
            }
        }
    }

    [Fact]
    public void Every_route_that_serves_a_path_of_the_document_is_in_the_contract()
    {
        var documented = DigitalSambaContract.DocumentedGetPaths.Select(Shape).ToHashSet(StringComparer.Ordinal);
        var contract = DigitalSambaContract.Operations.Where(o => o.Method == "GET").Select(o => Shape(o.Path)).ToHashSet(StringComparer.Ordinal);

        var served = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => Shape("/" + (e.RoutePattern.RawText ?? string.Empty).Trim('/')))
            .Where(documented.Contains)
            .ToList();

        Assert.NotEmpty(served);
        Assert.Equal(contract.Order(StringComparer.Ordinal), served.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_checker_reports_a_missing_field_and_a_wrong_kind()
    {
        var operation = DigitalSambaContract.Operations.Single(o => o.ToString() == "GET /api/v1/rooms/{room}/live");
        using var answer = JsonDocument.Parse("""{"id":"x","external_id":null,"start_time":"t","session_duration":"60"}""");

        var mismatches = DigitalSambaContract.Mismatches(operation, answer.RootElement);

        Assert.Equal(["$.session_duration: String where the document shows number", "$.live_participants: missing"], mismatches);
    }

    /// <summary>A route with its parameters' names left out, so that <c>{id}</c> and <c>{session}</c> compare equal.</summary>
    private static string Shape(string route) => Parameter().Replace(route, "{}").ToLowerInvariant();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
