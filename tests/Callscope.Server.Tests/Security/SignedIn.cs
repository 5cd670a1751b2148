using System.Net;
using System.Text.RegularExpressions;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Security;

/// <summary>A browser-like client of the dashboard: its own cookies, signed in through the sign-in form.</summary>
public sealed partial class SignedIn(HttpClient client, CookieJar jar) : IDisposable
{
    public HttpClient Client { get; } = client;

    /// <summary>The client's cookies as one <c>Cookie</c> header, as someone who copied them would send them.</summary>
    public string CookieHeader => jar.Header;

    /// <summary>A member of the app's first team, added straight to the store.</summary>
    public static Member AddMember(CallscopeApp app, string email, string role, string password = "viewer-password-2468", Core.TeamId? team = null)
    {
        var hasher = app.Services.GetRequiredService<IPasswordHasher<Member>>();
        return app.Services.GetRequiredService<TeamStore>().AddMember(team ?? app.TeamId, email, null, hasher.HashPassword(null!, password), role);
    }

    /// <summary>A new client that keeps cookies and does not follow redirects.</summary>
    public static (HttpClient Client, CookieJar Jar) Browser(WebApplicationFactory<Program> app)
    {
        var jar = new CookieJar();
        return (app.CreateDefaultClient(new Uri("http://localhost"), jar), jar);
    }

    /// <summary>A client that sends exactly this <c>Cookie</c> header and keeps no cookies of its own.</summary>
    public static HttpClient WithCookie(WebApplicationFactory<Program> app, string cookieHeader)
    {
        var client = app.CreateDefaultClient(new Uri("http://localhost"));
        client.DefaultRequestHeaders.Add("Cookie", cookieHeader);
        return client;
    }

    public static async Task<SignedIn> AsAsync(WebApplicationFactory<Program> app, string email, string password)
    {
        var (client, jar) = Browser(app);
        var response = await PostSignInAsync(client, email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return new SignedIn(client, jar);
    }

    public static Task<SignedIn> AsAdminAsync(WebApplicationFactory<Program> app) => AsAsync(app, CallscopeApp.AdminEmail, CallscopeApp.AdminPassword);

    /// <summary>Fills and posts the sign-in form as a browser would.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password)
    {
        var token = await TokenAsync(client, "/signin");
        return await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email,
            ["Form.Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>The anti-forgery token of a page's form, for this client's sign-in.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        return TokenField().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"{page} has no anti-forgery token");
    }

    public Task<string> TokenAsync(string page = "/account") => TokenAsync(Client, page);

    /// <summary>Posts a dashboard form with the page's token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string action, IDictionary<string, string> fields)
    {
        var token = await TokenAsync(page);
        return await Client.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token }));
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

/// <summary>Keeps the cookies a server sets and sends them back, as a browser does.</summary>
public sealed class CookieJar : DelegatingHandler
{
    private static readonly Uri Site = new("http://localhost/");

    private readonly CookieContainer cookies = new();

    public string Header => cookies.GetCookieHeader(Site);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Header is { Length: > 0 } header && !request.Headers.Contains("Cookie"))
        {
            request.Headers.Add("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                cookies.SetCookies(Site, value);
            }
        }

        return response;
    }
}
