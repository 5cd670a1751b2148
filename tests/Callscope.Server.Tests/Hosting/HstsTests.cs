using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Callscope.Server.Tests.Hosting;

/// <summary>Strict-Transport-Security on every answer given over HTTPS, outside Development.</summary>
public sealed class HstsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>One path of each kind: health, API (answer, problem, unauthorized), pages, static files, reference, unknown.</summary>
    private static readonly string[] Paths =
    [
        "/health/live", "/api/v1/sessions", "/api/v1/sessions/not-an-id", "/signin", "/", "/dashboard.css", "/favicon.ico",
        "/scalar/", "/openapi/v1.json", "/no-such-page",
    ];

    [Fact]
    public async Task Every_answer_over_https_carries_hsts_in_production()
    {
        await using var app = new CallscopeApp();
        app.Settings["environment"] = Environments.Production;
        Assert.Equal(Environments.Production, app.Services.GetRequiredService<IWebHostEnvironment>().EnvironmentName);

        foreach (var (path, key) in Paths.SelectMany(p => new[] { (p, (string?)CallscopeApp.DeveloperKey), (p, null) }))
        {
            using var response = await SendAsync(app, new Uri("https://callscope.example"), path, key);
            Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var values), $"{path} over https answered {(int)response.StatusCode} without HSTS");
            var value = Assert.Single(values);
            Assert.Matches(@"^max-age=\d+", value);
            Assert.True(int.Parse(value["max-age=".Length..].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture) >= 86_400 * 30, value);
        }
    }

    [Fact]
    public async Task Plain_http_and_development_get_no_hsts()
    {
        await using (var production = new CallscopeApp())
        {
            production.Settings["environment"] = Environments.Production;
            foreach (var path in Paths)
            {
                using var response = await SendAsync(production, new Uri("http://callscope.example"), path, CallscopeApp.DeveloperKey);
                Assert.False(response.Headers.Contains("Strict-Transport-Security"), $"{path} over http should not send HSTS");
            }
        }

        await using var development = new CallscopeApp();
        Assert.Equal(Environments.Development, development.Services.GetRequiredService<IWebHostEnvironment>().EnvironmentName);
        foreach (var path in Paths)
        {
            using var response = await SendAsync(development, new Uri("https://callscope.example"), path, CallscopeApp.DeveloperKey);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), $"{path} in Development should not send HSTS");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(CallscopeApp app, Uri origin, string path, string? key)
    {
        var client = app.CreateClient(new() { BaseAddress = origin, AllowAutoRedirect = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return await client.GetAsync(path, Cancellation);
    }
}
