using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>One request the receiver took, as it arrived.</summary>
/// <param name="Seen">How many requests with the same <c>webhook-id</c> came before this one.</param>
public sealed record ReceivedRequest(
    string Path, string? Id, string? Timestamp, string? Signature, string? Authorization, string ContentType, string Body, int Seen)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string EventType => Json.GetProperty("eventType").GetString()!;

    public override string ToString() => $"{Path} {Id} #{Seen} {Body}";
}

/// <summary>How the receiver answers one request.</summary>
/// <param name="Hang">Hold the request until the client gives up or <see cref="WebhookReceiver.ReleaseHanging"/>.</param>
public sealed record ReceiverAnswer(int Status, string? RetryAfter = null, bool Hang = false, string Body = "")
{
    public static readonly ReceiverAnswer Ok = new(200, Body: "thanks");
}

/// <summary>
/// A webhook endpoint on a free loopback port (Kestrel, in the test process). It keeps every request it takes, in the
/// order taken, and answers as <see cref="Respond"/> says, which a test may change at any moment.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly WebApplication app;
    private readonly List<ReceivedRequest> received = [];
    private readonly Dictionary<string, int> seen = new(StringComparer.Ordinal);
    private TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int hanging;

    private WebhookReceiver(WebApplication app)
    {
        this.app = app;
    }

    /// <summary>The answer to each request; 200 unless the test says otherwise.</summary>
    public Func<ReceivedRequest, ReceiverAnswer> Respond { get; set; } = _ => ReceiverAnswer.Ok;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests held right now by a hanging answer.</summary>
    public int Hanging => Volatile.Read(ref hanging);

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (received)
            {
                return [.. received];
            }
        }
    }

    public Uri Url(string path = "/hook") => new(BaseAddress, path);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>Lets every request held by a hanging answer now go (answered 200); change <see cref="Respond"/> first so later ones do not hang.</summary>
    public void ReleaseHanging()
    {
        var old = released;
        released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Waits, with a generous deadline, until what was received satisfies <paramref name="until"/>.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitAsync(Func<IReadOnlyList<ReceivedRequest>, bool> until, string what, TimeSpan? deadline = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = Received;
            if (until(now))
            {
                return now;
            }

            if (clock.Elapsed > (deadline ?? Patience))
            {
                Assert.Fail($"The receiver did not get {what} within {(deadline ?? Patience).TotalSeconds} s; it got {now.Count} requests:\n" +
                    string.Join('\n', now.TakeLast(20)));
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Whether the request carries a <c>v1</c> signature made with <paramref name="secret"/>: HMAC-SHA256 with the key after
    /// <c>whsec_</c> over <c>{id}.{timestamp}.{body}</c>, as the Standard Webhooks specification defines it.
    /// </summary>
    public static bool SignedWith(ReceivedRequest request, string secret)
    {
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}"));
        var expected = "v1," + Convert.ToBase64String(mac);
        return (request.Signature ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(expected, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        released.TrySetResult();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        string? Header(string name) => context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
        ReceivedRequest request;
        lock (received)
        {
            var id = Header("webhook-id");
            var before = id is null ? 0 : seen.GetValueOrDefault(id);
            if (id is not null)
            {
                seen[id] = before + 1;
            }

            request = new ReceivedRequest(context.Request.Path, id, Header("webhook-timestamp"), Header("webhook-signature"), Header("Authorization"),
                context.Request.ContentType ?? string.Empty, body, before);
            received.Add(request);
        }

        var answer = Respond(request);
        if (answer.Hang)
        {
            Interlocked.Increment(ref hanging);
            try
            {
                await released.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref hanging);
            }

            answer = ReceiverAnswer.Ok;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }
}
