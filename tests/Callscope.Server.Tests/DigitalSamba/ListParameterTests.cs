using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>
/// SPEC 4.1: every list checks limit, offset, order and after the same way. The lists are found by walking every GET
/// route of the API and keeping those that answer with a list envelope, so a list added later is walked too. A list of
/// <see cref="OffsetOnly"/> pages by limit and offset alone: an <c>after</c> there is refused, naming it.
/// </summary>
public sealed class ListParameterTests(ScenarioFixture fixture) : IClassFixture<ScenarioFixture>
{
    /// <summary>Lists with no cursor (a webhook's deliveries, docs/webhooks.md): they continue by offset.</summary>
    private static readonly HashSet<string> OffsetOnly = ["/api/v1/webhooks/{webhook}/deliveries"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> BadParameters() => new()
    {
        { "limit=-5", "limit" },
        { "limit=0", "limit" },
        { "limit=101", "limit" },
        { "limit=ten", "limit" },
        { "limit=1&limit=2", "limit" },
        { "offset=-1", "offset" },
        { "offset=1.5", "offset" },
        { "order=sideways", "order" },
        { "order=", "order" },
        { $"after={Guid.NewGuid()}", "after" },
        { "after=not-an-item", "after" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task Every_list_refuses_a_bad_paging_parameter_with_a_problem_naming_it(string query, string field)
    {
        var lists = await ListsAsync();
        Assert.Superset(
            new HashSet<string>(["/api/v1/sessions", "/api/v1/participants", "/api/v1/rooms", "/api/v1/rooms/live", "/api/v1/rooms/live/participants",
                "/api/v1/rooms/{room}/sessions", "/api/v1/sessions/{id}/participants", "/api/v1/participants/{id}/events", "/api/v1/rooms/{room}/events",
                "/api/v1/webhooks", "/api/v1/audit", .. OffsetOnly]),
            lists.ToHashSet());

        foreach (var template in lists)
        {
            var url = Fill(template) + "?" + query;
            var problem = await ApiAssert.ProblemAsync(await fixture.Api.GetAsync(url, Ct), HttpStatusCode.BadRequest, "validation-failed");
            Assert.True(field == problem.GetProperty("errors")[0].GetProperty("field").GetString(), $"{url}: {problem}");
        }
    }

    [Fact]
    public async Task Every_list_continues_after_its_own_first_item()
    {
        foreach (var template in (await ListsAsync()).Where(l => !OffsetOnly.Contains(l)))
        {
            var url = Fill(template);
            var first = await ApiAssert.GetAsync(fixture.Api, url + "?limit=1");
            var all = await ApiAssert.GetAsync(fixture.Api, url);
            var cursor = Key(first.GetProperty("data")[0]);

            var rest = await ApiAssert.GetAsync(fixture.Api, $"{url}?after={Uri.EscapeDataString(cursor!)}");

            Assert.True(all.GetProperty("data").GetArrayLength() - 1 == rest.GetProperty("data").GetArrayLength(), $"{url} after {cursor}: {rest}");
            Assert.DoesNotContain(cursor, rest.GetProperty("data").EnumerateArray().Select(Key));
        }
    }

    [Fact]
    public async Task A_list_without_a_cursor_continues_by_offset_and_refuses_its_own_first_item_as_after()
    {
        var lists = await ListsAsync();
        Assert.Superset(OffsetOnly, lists.ToHashSet());

        foreach (var template in lists.Where(OffsetOnly.Contains))
        {
            var url = Fill(template);
            var first = await ApiAssert.GetAsync(fixture.Api, url + "?limit=1");
            var all = await ApiAssert.GetAsync(fixture.Api, url);
            var key = Key(first.GetProperty("data")[0]);

            var rest = await ApiAssert.GetAsync(fixture.Api, $"{url}?offset=1");

            Assert.True(all.GetProperty("data").GetArrayLength() > 1, $"{url} has one item: offset 1 would skip it whatever it did");
            Assert.Equal(all.GetProperty("data").EnumerateArray().Skip(1).Select(Key), rest.GetProperty("data").EnumerateArray().Select(Key));
            Assert.DoesNotContain(key, rest.GetProperty("data").EnumerateArray().Select(Key));
            var problem = await ApiAssert.ProblemAsync(await fixture.Api.GetAsync($"{url}?after={Uri.EscapeDataString(key!)}", Ct), HttpStatusCode.BadRequest, "validation-failed");
            Assert.True("after" == problem.GetProperty("errors")[0].GetProperty("field").GetString(), $"{url}: {problem}");
        }
    }

    /// <summary>A list item's name (a list of names) or its id.</summary>
    private static string? Key(JsonElement item) => item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetProperty("id").GetString();

    /// <summary>The GET routes of the API that answer with Digital Samba's list envelope, with data to page through.</summary>
    private async Task<List<string>> ListsAsync()
    {
        var lists = new List<string>();
        var routes = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + (e.RoutePattern.RawText ?? string.Empty).Trim('/'))
            .Where(r => r.StartsWith("/api/v1/", StringComparison.Ordinal))
            .Distinct();
        foreach (var route in routes)
        {
            var response = await fixture.Api.GetAsync(Fill(route), Ct);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                continue;
            }

            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("total_count", out _) && body.TryGetProperty("data", out var data))
            {
                Assert.True(data.GetArrayLength() > 0, $"{route} has nothing to page through in the scenario");
                lists.Add(route);
            }
        }

        return lists;
    }

    private string Fill(string route)
    {
        var scenario = fixture.Scenario;
        var id = route.StartsWith("/api/v1/participants/", StringComparison.Ordinal) ? scenario.AnaId : scenario.LiveSessionId;
        return route.Replace("{room}", scenario.RoomId, StringComparison.Ordinal).Replace("{id}", id, StringComparison.Ordinal)
            .Replace("{webhook}", scenario.WebhookId, StringComparison.Ordinal);
    }
}
