using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.DigitalSamba;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>
/// <c>/api/v1/webhooks</c> as Digital Samba documents it (field names and JSON kinds of its examples), with Callscope's
/// write-only bearer token, its validation, team isolation, and rooms that limit their events to some webhooks.
/// </summary>
public sealed class WebhookApiTests
{
    private const string Token = "receiver-token-5f1c9a";

    private static readonly string[] JoinedLeft = ["participant_joined", "participant_left"];
    private static readonly string[] StartedOnly = ["session_started"];
    private static readonly string[] EndedOnly = ["session_ended"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The fields of the documented examples of Digital Samba's webhook operations (its OpenAPI document).</summary>
    private static readonly ContractField[] ItemFields =
    [
        new("id", "string"), new("endpoint", "string"), new("authorization_header", "string"), new("name", "string"),
        new("events", "array"), new("events[]", "string"), new("created_at", "string"), new("updated_at", "string"),
    ];

    private static readonly ContractOperation ListOperation = new("GET", "/api/v1/webhooks",
    [
        new("data", "array"), new("data[].id", "string"), new("data[].endpoint", "string"), new("data[].authorization_header", "string"),
        new("data[].name", "string"), new("data[].created_at", "string"), new("data[].updated_at", "string"), new("total_count", "string"),
    ]);

    [Fact]
    public async Task A_webhook_is_created_read_listed_changed_and_deleted_with_the_documented_fields()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = WebhookKit.NewApp();
        var api = app.Api();

        var created = await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/webhooks",
            new { endpoint = receiver.Url().ToString(), name = "Join hook", events = JoinedLeft, authorization_header = Token },
            HttpStatusCode.Created);
        AssertDocumented(new ContractOperation("POST", "/api/v1/webhooks", ItemFields), created);
        var id = created.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _), $"a webhook's id is a UUID, as Digital Samba's: {id}");
        Assert.Equal(receiver.Url().ToString(), created.GetProperty("endpoint").GetString());
        Assert.Equal("Join hook", created.GetProperty("name").GetString());
        Assert.Equal(["participant_joined", "participant_left"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("********", created.GetProperty("authorization_header").GetString());
        Assert.StartsWith("whsec_", created.GetProperty("signing_secret").GetString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(created.GetProperty("signing_secret").GetString()!["whsec_".Length..]).Length);
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("disabled_reason").ValueKind);
        Assert.Equal("2026-11-25T10:00:00.000Z", created.GetProperty("created_at").GetString());
        Assert.DoesNotContain(Token, created.ToString(), StringComparison.Ordinal);

        var read = await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}");
        AssertDocumented(new ContractOperation("GET", "/api/v1/webhooks/{webhook}", ItemFields), read);
        Assert.False(read.TryGetProperty("signing_secret", out _), "the signing secret is shown only when it is made");
        Assert.Equal("********", read.GetProperty("authorization_header").GetString());

        var list = await WebhookKit.GetAsync(api, "/api/v1/webhooks");
        AssertDocumented(ListOperation, list);
        Assert.Equal(1, list.GetProperty("total_count").GetInt32());
        Assert.Equal(id, list.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.DoesNotContain(Token, list.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", list.ToString(), StringComparison.Ordinal);

        // Sending the mask back (as a client that writes back what it read does) keeps the token.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var changed = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}",
            new { name = "Renamed hook", authorization_header = "********", events = StartedOnly }, HttpStatusCode.OK);
        AssertDocumented(new ContractOperation("PATCH", "/api/v1/webhooks/{webhook}", ItemFields), changed);
        Assert.Equal("Renamed hook", changed.GetProperty("name").GetString());
        Assert.Equal(["session_started"], changed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2026-11-25T10:00:00.000Z", changed.GetProperty("created_at").GetString());
        Assert.Equal("2026-11-25T10:01:00.000Z", changed.GetProperty("updated_at").GetString());
        Assert.Equal("********", changed.GetProperty("authorization_header").GetString());
        Assert.Equal(changed.ToString(), (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).ToString());

        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        var first = (await receiver.WaitAsync(r => r.Count == 1, "the test message")).Single();
        Assert.Equal("Bearer " + Token, first.Authorization);

        // null removes the token: the mask reads null and nothing is sent.
        var removed = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { authorization_header = (string?)null }, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("authorization_header").ValueKind);
        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        Assert.Null((await receiver.WaitAsync(r => r.Count == 2, "the second test message"))[1].Authorization);

        // A new token replaces it.
        await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { authorization_header = "another-token" }, HttpStatusCode.OK);
        await WebhookKit.SendAsync(api, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted);
        Assert.Equal("Bearer another-token", (await receiver.WaitAsync(r => r.Count == 3, "the third test message"))[2].Authorization);

        using (var deleted = await api.DeleteAsync($"/api/v1/webhooks/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/webhooks/{id}", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/webhooks/{id}/deliveries", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.DeleteAsync($"/api/v1/webhooks/{id}", Ct), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(0, (await WebhookKit.GetAsync(api, "/api/v1/webhooks")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task The_list_pages_by_limit_offset_order_and_after()
    {
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await WebhookKit.CreateAsync(api, new Uri($"https://hooks.example.com/{i}"), name: $"hook {i}")).Id);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        async Task<List<string>> Page(string query)
        {
            var page = await WebhookKit.GetAsync(api, "/api/v1/webhooks?" + query);
            Assert.Equal(5, page.GetProperty("total_count").GetInt32());
            return [.. page.GetProperty("data").EnumerateArray().Select(WebhookKit.Id)];
        }

        Assert.Equal(Enumerable.Reverse(ids), await Page(""));
        Assert.Equal(ids[..2], await Page("order=asc&limit=2"));
        Assert.Equal(ids[2..4], await Page($"order=asc&limit=2&after={ids[1]}"));
        Assert.Equal(ids[2..4], await Page("order=asc&limit=2&offset=2"));
        Assert.Equal([ids[1], ids[0]], await Page($"order=desc&after={ids[2]}"));
        Assert.Empty(await Page($"order=asc&after={ids[4]}"));

        foreach (var bad in (string[])[$"after={Guid.NewGuid()}", "after=nope", "limit=0", "limit=101", "offset=-1", "order=sideways"])
        {
            var problem = await ApiAssert.ProblemAsync(await api.GetAsync("/api/v1/webhooks?" + bad, Ct), HttpStatusCode.BadRequest, "validation-failed");
            Assert.Contains(bad.Split('=')[0], problem.ToString(), StringComparison.Ordinal);
        }

        // Another team's webhook is not a cursor of this team's list.
        var other = app.CreateTeam("Other team");
        var foreign = (await WebhookKit.CreateAsync(app.Api(other.Key), new Uri("https://hooks.example.com/other"))).Id;
        await ApiAssert.ProblemAsync(await api.GetAsync($"/api/v1/webhooks?after={foreign}", Ct), HttpStatusCode.BadRequest, "validation-failed");
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { """{"endpoint":"ht","events":["session_started"]}""", "endpoint" },
        { $$"""{"endpoint":"https://example.com/{{new string('a', 81)}}","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"not a url","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"/relative/hook","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"ftp://example.com/hook","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"http://127.0.0.1:9/hook","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"http://localhost/hook","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"http://10.1.2.3/hook","events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"http://169.254.169.254/latest","events":["session_started"]}""", "endpoint" },
        { """{"events":["session_started"]}""", "endpoint" },
        { """{"endpoint":42,"events":["session_started"]}""", "endpoint" },
        { """{"endpoint":"https://example.com/hook","events":["session_started","meeting_exploded"]}""", "events" },
        { """{"endpoint":"https://example.com/hook","events":[]}""", "events" },
        { """{"endpoint":"https://example.com/hook"}""", "events" },
        { """{"endpoint":"https://example.com/hook","events":"session_started"}""", "events" },
        { """{"endpoint":"https://example.com/hook","events":[1]}""", "events" },
        { """{"endpoint":"https://example.com/hook","events":["session_started"],"name":"ab"}""", "name" },
        { $$"""{"endpoint":"https://example.com/hook","events":["session_started"],"name":"{{new string('n', 101)}}"}""", "name" },
        { """{"endpoint":"https://example.com/hook","events":["session_started"],"name":5}""", "name" },
        { """{"endpoint":"https://example.com/hook","events":["session_started"],"authorization_header":7}""", "authorization_header" },
        { """{"endpoint":"https://example.com/hook","events":["session_started"],"authorization_header":"a\nb"}""", "authorization_header" },
        { $$"""{"endpoint":"https://example.com/hook","events":["session_started"],"authorization_header":"{{new string('t', 1001)}}"}""", "authorization_header" },
        { """["https://example.com/hook"]""", "body" },
        { "\"https://example.com/hook\"", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_field_is_refused_naming_it_and_changes_nothing(string body, string field)
    {
        // No Callscope:Outbound:AllowPrivateNetworks here: loopback, private and link-local endpoints are refused.
        await using var app = new CallscopeApp();
        var api = app.Api();
        var kept = await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/webhooks",
            new { endpoint = "https://hooks.example.com/kept", events = EndedOnly, name = "Kept", authorization_header = "kept-token" },
            HttpStatusCode.Created);
        var id = kept.GetProperty("id").GetString()!;
        var before = (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).ToString();

        var created = await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Post, "/api/v1/webhooks", body), HttpStatusCode.BadRequest, "validation-failed");
        AssertNames(created, field);
        Assert.DoesNotContain("kept-token", created.ToString(), StringComparison.Ordinal);

        // The same field in a change: refused the same way, the webhook as it was.
        if (field == "body" || body.Contains($"\"{field}\"", StringComparison.Ordinal))
        {
            var patched = await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Patch, $"/api/v1/webhooks/{id}", body), HttpStatusCode.BadRequest, "validation-failed");
            AssertNames(patched, field);
        }

        var list = await WebhookKit.GetAsync(api, "/api/v1/webhooks");
        Assert.Equal(1, list.GetProperty("total_count").GetInt32());
        Assert.Equal(before, (await WebhookKit.GetAsync(api, $"/api/v1/webhooks/{id}")).ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_and_changes_nothing()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();
        using var response = await Raw(api, HttpMethod.Post, "/api/v1/webhooks", "{\"endpoint\": ");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await WebhookKit.GetAsync(api, "/api/v1/webhooks")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Another_teams_webhook_is_not_found_and_a_request_without_a_key_is_unauthorized()
    {
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var other = app.CreateTeam("Other team");
        var otherApi = app.Api(other.Key);
        var (id, _) = await WebhookKit.CreateAsync(otherApi, new Uri("https://hooks.example.com/theirs"), token: "their-token");
        var delivery = WebhookKit.Id(await WebhookKit.SendAsync(otherApi, HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null, HttpStatusCode.Accepted));

        var requests = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/v1/webhooks/{id}", null),
            (HttpMethod.Patch, $"/api/v1/webhooks/{id}", new { name = "Mine now" }),
            (HttpMethod.Delete, $"/api/v1/webhooks/{id}", null),
            (HttpMethod.Post, $"/api/v1/webhooks/{id}/rotate-secret", null),
            (HttpMethod.Post, $"/api/v1/webhooks/{id}/test", null),
            (HttpMethod.Get, $"/api/v1/webhooks/{id}/deliveries", null),
            (HttpMethod.Get, $"/api/v1/webhooks/{id}/deliveries/{delivery}", null),
            (HttpMethod.Post, $"/api/v1/webhooks/{id}/deliveries/{delivery}/replay", null),
            (HttpMethod.Post, $"/api/v1/webhooks/{id}/deliveries/replay", new { since = "2026-01-01T00:00:00Z" }),
        };
        foreach (var (method, path, body) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
            await ApiAssert.ProblemAsync(await api.SendAsync(request, Ct), HttpStatusCode.NotFound, "not-found");
        }

        Assert.Equal(0, (await WebhookKit.GetAsync(api, "/api/v1/webhooks")).GetProperty("total_count").GetInt32());
        var theirs = await WebhookKit.GetAsync(otherApi, $"/api/v1/webhooks/{id}");
        Assert.True(theirs.GetProperty("enabled").GetBoolean());
        Assert.Equal(1, (await WebhookKit.GetAsync(otherApi, $"/api/v1/webhooks/{id}/deliveries")).GetProperty("total_count").GetInt32());

        // A room of this team cannot name another team's webhook.
        await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Post, "/api/v1/rooms", $$"""{"friendly_url":"mine","webhooks":["{{id}}"]}"""),
            HttpStatusCode.BadRequest, "validation-failed");

        var anonymous = app.CreateClient();
        foreach (var (method, path, body) in requests.Append((HttpMethod.Get, "/api/v1/webhooks", null)).Append((HttpMethod.Post, "/api/v1/webhooks", new { endpoint = "https://example.com/x", events = StartedOnly })))
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
            await ApiAssert.ProblemAsync(await anonymous.SendAsync(request, Ct), HttpStatusCode.Unauthorized, "unauthorized");
        }

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-key-of-anyone-000000000");
        await ApiAssert.ProblemAsync(await anonymous.GetAsync("/api/v1/webhooks", Ct), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(1, (await WebhookKit.GetAsync(otherApi, "/api/v1/webhooks")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Events_is_the_bare_array_of_webhook_event_names()
    {
        await using var app = new CallscopeApp();
        using var response = await app.Api().GetAsync("/api/v1/events", Ct);
        var events = await ApiAssert.OkAsync(response);

        Assert.Equal(JsonValueKind.Array, events.ValueKind);
        Assert.Equal(WebhookKit.AllEvents, events.EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(DigitalSambaContract.Mismatches(DigitalSambaContract.Operations.Single(o => o.ToString() == "GET /api/v1/events"), events));

        var types = await WebhookKit.GetAsync(app.Api(), "/api/v1/event-types");
        Assert.Equal(JsonValueKind.Object, types.ValueKind);
        Assert.True(types.GetProperty("total_count").GetInt32() > 0);
        Assert.Contains(types.GetProperty("data").EnumerateArray(), t => t.ToString().Contains("quality_sample", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_room_names_the_webhooks_it_is_limited_to_and_unknown_ones_are_refused()
    {
        await using var app = WebhookKit.NewApp();
        var api = app.Api();
        var (a, _) = await WebhookKit.CreateAsync(api, new Uri("https://hooks.example.com/a"));
        var (b, _) = await WebhookKit.CreateAsync(api, new Uri("https://hooks.example.com/b"));

        var room = await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/rooms", new { friendly_url = "scoped", webhooks = new[] { a } }, HttpStatusCode.Created);
        Assert.Equal([a], room.GetProperty("webhooks").EnumerateArray().Select(w => w.GetString()));
        var roomId = room.GetProperty("id").GetString()!;
        Assert.Equal([a], (await WebhookKit.GetAsync(api, $"/api/v1/rooms/{roomId}")).GetProperty("webhooks").EnumerateArray().Select(w => w.GetString()));

        var both = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/rooms/{roomId}", new { webhooks = new[] { a, b } }, HttpStatusCode.OK);
        Assert.Equal(new[] { a, b }.Order(), both.GetProperty("webhooks").EnumerateArray().Select(w => w.GetString()!).Order());

        var unknown = Guid.NewGuid().ToString();
        var refused = await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Patch, $"/api/v1/rooms/{roomId}", $$"""{"webhooks":["{{a}}","{{unknown}}"]}"""),
            HttpStatusCode.BadRequest, "validation-failed");
        AssertNames(refused, "webhooks");
        Assert.Equal(both.GetProperty("webhooks").ToString(), (await WebhookKit.GetAsync(api, $"/api/v1/rooms/{roomId}")).GetProperty("webhooks").ToString());
        await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Post, "/api/v1/rooms", $$"""{"friendly_url":"never-made","webhooks":["{{unknown}}"]}"""),
            HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await Raw(api, HttpMethod.Post, "/api/v1/rooms", """{"friendly_url":"never-made","webhooks":"all"}"""),
            HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.GetAsync("/api/v1/rooms/never-made", Ct), HttpStatusCode.NotFound, "not-found");

        // Empty (or null) means every webhook of the team.
        var all = await WebhookKit.SendAsync(api, HttpMethod.Patch, $"/api/v1/rooms/{roomId}", new { webhooks = Array.Empty<string>() }, HttpStatusCode.OK);
        Assert.Equal(0, all.GetProperty("webhooks").GetArrayLength());
        var plain = await WebhookKit.SendAsync(api, HttpMethod.Post, "/api/v1/rooms", new { friendly_url = "plain" }, HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Array, plain.GetProperty("webhooks").ValueKind);
        Assert.Equal(0, plain.GetProperty("webhooks").GetArrayLength());
    }

    private static void AssertDocumented(ContractOperation operation, JsonElement answer)
    {
        Assert.Empty(DigitalSambaContract.Mismatches(operation, answer));
        foreach (var field in operation.Fields.Where(f => f.Kind != "array" && !f.Path.EndsWith("[]", StringComparison.Ordinal) && !f.Path.EndsWith("authorization_header", StringComparison.Ordinal)))
        {
            // Callscope's webhooks have every documented value, never null (authorization_header is null when no token is set).
            Assert.All(DigitalSambaContract.Resolve(answer, field.Path), v => Assert.NotEqual(JsonValueKind.Null, v.Value!.Value.ValueKind));
        }
    }

    private static void AssertNames(JsonElement problem, string field)
    {
        var named = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.True(named.Contains(field), $"the problem should name {field}: {problem}");
    }

    private static Task<HttpResponseMessage> Raw(HttpClient api, HttpMethod method, string path, string body) =>
        api.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") }, Ct);
}
