using System.Net;
using System.Text;
using Callscope.Server.Tests.Infrastructure;
using static Callscope.Server.Tests.Browser.BrowserClient;

namespace Callscope.Server.Tests.Browser;

/// <summary>Per-participant limits of browser ingest: requests and events per minute, and the body's size.</summary>
public sealed class ClientLimitTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start.AddMinutes(-5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_over_the_limit_are_429_with_retry_after_and_other_participants_go_on()
    {
        await using var app = new CallscopeApp();
        app.Settings["Callscope:ClientIngest:RequestsPerMinute"] = "3";
        var ana = await TokenAsync(app, identity: "ana");
        var noah = await TokenAsync(app, identity: "noah", name: "Noah");

        HttpResponseMessage? refused = null;
        var accepted = 0;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await SendAsync(app, ana, Batch(Event("app_note", T.AddSeconds(i), connection: "ana-pc")));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted++;
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.InRange(accepted, 3, 5);
        var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "too-many-requests");
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.True(problem.GetProperty("retry_after").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(app, noah, Batch(Event("app_note", T, connection: "noah-pc")))).StatusCode);
    }

    [Fact]
    public async Task Events_over_the_limit_are_refused_and_a_batch_larger_than_a_minutes_worth_is_413()
    {
        await using var app = new CallscopeApp();
        app.Settings["Callscope:ClientIngest:EventsPerMinute"] = "60";
        var token = await TokenAsync(app);
        object[] Many(int count, int from) => [.. Enumerable.Range(from, count).Select(i => Event("app_note", T.AddSeconds(i)))];

        var tooLarge = await SendAsync(app, token, Batch(Many(61, 0)));
        var first = await SendAsync(app, token, Batch(Many(50, 0)));
        var second = await SendAsync(app, token, Batch(Many(50, 50)));

        await ApiAssert.ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await ApiAssert.ProblemAsync(second, HttpStatusCode.TooManyRequests, "too-many-requests");
        Assert.True(second.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_and_nothing_is_stored()
    {
        await using var app = new CallscopeApp();
        app.Settings["Callscope:ClientIngest:MaxBodyBytes"] = "4096";
        var token = await TokenAsync(app);
        var padding = new string('x', 5000);

        var response = await SendAsync(app, token, Batch(Event("participant_joined", T), Event("app_note", T, new { note = padding })));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(0, (await ApiAssert.GetAsync(app.Api(), "/api/v1/sessions")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Malformed_bodies_are_4xx_and_never_500()
    {
        await using var app = new CallscopeApp();
        var token = await TokenAsync(app);
        string[] bodies = ["", "{", "[]", "{\"events\":{}}", "{\"events\":[]}", "{\"events\":[1,\"x\",null]}", "\"text\"", "{\"events\":[{\"id\":{}}]}"];

        foreach (var text in bodies)
        {
            using var content = new StringContent(text, Encoding.UTF8, "application/json");
            using var message = new HttpRequestMessage(HttpMethod.Post, IngestPath) { Content = content };
            message.Headers.Authorization = new("Bearer", token);
            var response = await app.CreateClient().SendAsync(message, Ct);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{text}: {(int)response.StatusCode}");
        }
    }
}
