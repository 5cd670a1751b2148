using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Bench.Hosting;

/// <summary>
/// A webhook receiver in the bench's own process: it reads each message, answers 200 at once, and keeps when each
/// <c>webhook-id</c> arrived (Unix milliseconds, by the same clock the server stamps its deliveries with).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Path = "/hook";

    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Every message received: its webhook-id and when it arrived.</summary>
    public ConcurrentQueue<(string Id, long ReceivedMs)> Received { get; } = new();

    public static async Task<WebhookReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost(Path, async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            receiver!.Received.Enqueue((context.Request.Headers["webhook-id"].ToString(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            return Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(new Uri(address), Path));
        return receiver;
    }

    /// <summary>How many different messages arrived.</summary>
    public int Distinct() => Received.Select(r => r.Id).Distinct().Count();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
