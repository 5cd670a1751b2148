using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>One webhook request exactly as LiveKit's server sends it: body bytes and headers, and when it was sent.</summary>
public sealed record WebhookRequest(string Name, string Event, string Id, DateTimeOffset SentAt, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public override string ToString() => Name;

    public HttpRequestMessage ToHttp()
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest/livekit") { Content = new ByteArrayContent(Body) };
        foreach (var (name, value) in Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }
}

/// <summary>A scenario written by tests/livekit-webhooks/generate.mjs with LiveKit's own npm packages.</summary>
public sealed record WebhookScenario(string Name, string ApiKey, string ApiSecret, IReadOnlyList<WebhookRequest> Requests)
{
    public WebhookRequest this[string name] => Requests.Single(r => r.Name.EndsWith("-" + name, StringComparison.Ordinal));

    public static WebhookScenario Load(string name)
    {
        var folder = Path.Combine(NodeTools.WebhooksFolder, "out");
        var manifest = Path.Combine(folder, name + ".json");
        Assert.True(File.Exists(manifest),
            $"{manifest} is missing: run 'npm ci && node generate.mjs' in tests/livekit-webhooks (scripts/test.sh does this before the tests).");
        using var document = JsonDocument.Parse(File.ReadAllBytes(manifest));
        var root = document.RootElement;
        var requests = root.GetProperty("requests").EnumerateArray().Select(r => new WebhookRequest(
            r.GetProperty("name").GetString()!,
            r.GetProperty("event").GetString()!,
            r.GetProperty("id").GetString()!,
            DateTimeOffset.FromUnixTimeSeconds(r.GetProperty("sent_at").GetInt64()),
            File.ReadAllBytes(Path.Combine(folder, r.GetProperty("body").GetString()!)),
            r.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!))).ToList();
        Assert.Equal(CallscopeApp.Start, DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("start").GetInt64()));
        return new WebhookScenario(name, root.GetProperty("api_key").GetString()!, root.GetProperty("api_secret").GetString()!, requests);
    }
}

/// <summary>Where the Node side of these tests lives, and a check that its packages are installed.</summary>
public static class NodeTools
{
    public static string WebhooksFolder { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "livekit-webhooks");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/livekit-webhooks was not found above " + AppContext.BaseDirectory);
    }
}
