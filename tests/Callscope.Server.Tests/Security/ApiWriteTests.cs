using System.Net;
using System.Net.Http.Json;
using System.Text;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Security;

/// <summary>
/// Every route of the API that changes something, found in the app's own endpoints (so a route added later is
/// covered too): a viewer's sign-in may use none of them, ingest takes developer keys only, and a sign-in cookie sent
/// from another site without the sign-in's anti-forgery token changes nothing. Each refusal is a 403 problem and the
/// store is the same after it.
/// </summary>
public sealed class ApiWriteTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;
    private string sessionId = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        app.Clock.SetUtcNow(T.AddMinutes(10));
        api = app.Api();
        await Events.PostAsync(api, Events.Joined("daily-standup", "ana", T, "c1"), Events.Joined("daily-standup", "ben", T.AddMinutes(1), "c2"));
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/rooms/daily-standup/sessions?limit=1");
        sessionId = sessions.GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_viewer_sign_in_can_change_nothing_through_any_write_route_of_the_api()
    {
        SignedIn.AddMember(app, "viewer@example.test", Roles.Viewer);
        using var viewer = await SignedIn.AsAsync(app, "viewer@example.test", "viewer-password-2468");
        var token = await viewer.TokenAsync();
        var before = await StoreSnapshot.TakeAsync(app);

        var answers = new List<(string, HttpResponseMessage)>();
        foreach (var (method, path, _) in WriteRoutes())
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Body()) };
            request.Headers.Add("RequestVerificationToken", token);
            answers.Add(($"{method} {path}", await viewer.Client.SendAsync(request, Ct)));
        }

        await ExpectAllRefusedAsync(answers);

        Assert.Equal(before, await StoreSnapshot.TakeAsync(app));
        var session = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}");
        Assert.True(session.GetProperty("session_live").GetBoolean(), session.ToString());
    }

    [Fact]
    public async Task Ingest_refuses_every_sign_in_cookie_even_an_admins_with_its_token()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        var token = await admin.TokenAsync();
        var before = await StoreSnapshot.TakeAsync(app);

        foreach (var (method, path, _) in WriteRoutes().Where(r => r.Path.StartsWith("/api/v1/ingest/", StringComparison.Ordinal)))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Body()) };
            request.Headers.Add("RequestVerificationToken", token);
            using var response = await admin.Client.SendAsync(request, Ct);
            var problem = await ExpectRefusedAsync(response, $"{method} {path}");
            Assert.Contains("developer key", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await StoreSnapshot.TakeAsync(app));

        // The same batch with the developer key is taken, so the refusal above is the cookie's, not the body's.
        var accepted = await api.PostAsJsonAsync("/api/v1/ingest/events", Body(), Ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotEqual(before, await StoreSnapshot.TakeAsync(app));
    }

    [Fact]
    public async Task An_admin_cookie_sent_from_another_site_without_the_token_changes_nothing()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        // Both sign-ins come first: each is a change of its own (an audit entry), not one of those refused below.
        using var other = await SignedIn.AsAdminAsync(app);
        var before = await StoreSnapshot.TakeAsync(app);

        var answers = new List<(string, HttpResponseMessage)>();
        foreach (var (method, path, _) in WriteRoutes())
        {
            foreach (var content in new HttpContent[]
            {
                new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Changed from evil.example", ["friendly_url"] = "evil-room" }),
                JsonContent.Create(Body()),
                new StringContent("{\"name\":\"Changed from evil.example\"}", Encoding.UTF8, "text/plain"),
            })
            {
                var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
                request.Headers.Add("Origin", "https://evil.example");
                request.Headers.Referrer = new Uri("https://evil.example/page");
                answers.Add(($"{method} {path} ({content.Headers.ContentType?.MediaType})", await admin.Client.SendAsync(request, Ct)));
            }
        }

        await ExpectAllRefusedAsync(answers);

        // A token of another sign-in does not do either.
        var foreignToken = await other.TokenAsync();
        using var end = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sessions/{sessionId}/end");
        end.Headers.Add("RequestVerificationToken", foreignToken);
        await ExpectRefusedAsync(await admin.Client.SendAsync(end, Ct), "end with another sign-in's token");

        Assert.Equal(before, await StoreSnapshot.TakeAsync(app));
        Assert.True((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}")).GetProperty("session_live").GetBoolean());
    }

    [Fact]
    public async Task An_admin_cookie_with_its_token_may_end_a_session()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sessions/{sessionId}/end");
        request.Headers.Add("RequestVerificationToken", await admin.TokenAsync());

        using var response = await admin.Client.SendAsync(request, Ct);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        await app.SettleAsync();
        var session = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{sessionId}");
        Assert.False(session.GetProperty("session_live").GetBoolean(), session.ToString());
    }

    [Fact]
    public void The_write_routes_found_include_every_kind_of_change()
    {
        var routes = WriteRoutes().Select(r => $"{r.Method} {r.Template}").ToList();

        // The enumeration itself must see the routes known today; new ones are added to it by the app.
        Assert.Contains("POST /api/v1/ingest/events", routes);
        Assert.Contains("POST /api/v1/sessions/{id}/end", routes);
        Assert.Contains("POST /api/v1/rooms/", routes);
        Assert.Contains("PATCH /api/v1/team", routes);
        Assert.Contains("PUT /api/v1/integrations/livekit/", routes);
        Assert.Contains("DELETE /api/v1/integrations/livekit/", routes);
    }

    /// <summary>Lists every route that was not refused, so that one run shows them all.</summary>
    private static async Task ExpectAllRefusedAsync(List<(string What, HttpResponseMessage Response)> answers)
    {
        var notRefused = new List<string>();
        foreach (var (what, response) in answers)
        {
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                notRefused.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            }
        }

        Assert.True(notRefused.Count == 0, string.Join(Environment.NewLine, notRefused));
        foreach (var (what, response) in answers)
        {
            await ExpectRefusedAsync(response, what);
            response.Dispose();
        }
    }

    private static async Task<System.Text.Json.JsonElement> ExpectRefusedAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: expected 403, got {(int)response.StatusCode}: {text}");
        return await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    /// <summary>Every route under /api that takes an unsafe method, with its parameters filled with real ids.</summary>
    private List<(string Method, string Path, string Template)> WriteRoutes()
    {
        var found = new List<(string, string, string)>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var template = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!template.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];
            foreach (var method in methods.Where(m => !(HttpMethods.IsGet(m) || HttpMethods.IsHead(m) || HttpMethods.IsOptions(m) || HttpMethods.IsTrace(m))))
            {
                var path = template;
                foreach (var parameter in endpoint.RoutePattern.Parameters)
                {
                    var value = parameter.Name switch
                    {
                        "room" => "daily-standup",
                        _ => sessionId,
                    };
                    path = System.Text.RegularExpressions.Regex.Replace(path, "\\{\\**" + parameter.Name + "[^}]*\\}", value);
                }

                found.Add((method, path, template));
            }
        }

        Assert.NotEmpty(found);
        return found;
    }

    /// <summary>A body that would change something on most routes: an event that ends the live call, new names.</summary>
    private static object Body() => new
    {
        events = new[] { Events.Of("session_ended", "daily-standup", "ana", T.AddMinutes(5)), Events.Joined("viewer-room", "eve", T.AddMinutes(5)) },
        name = "Changed by someone who may not",
        friendly_url = "viewer-made-room",
        description = "changed",
        server_url = "https://livekit.example",
        api_key = "APIkey",
        api_secret = "a-secret-of-enough-length-0000000000",
    };
}
