using System.Net;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Browser;

/// <summary>The browser SDK's two builds, served by Callscope itself so a page needs only a script tag.</summary>
public sealed class SdkFilesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/sdk/callscope.js", "var Callscope")]
    [InlineData("/sdk/callscope.mjs", "export")]
    public async Task Both_builds_are_served_as_javascript_to_any_site(string path, string marker)
    {
        await using var app = new CallscopeApp();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://app.example.com");

        var response = await app.CreateClient().SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(marker, text, StringComparison.Ordinal);
        Assert.Contains("/api/v1/ingest/client", text, StringComparison.Ordinal);
    }
}
