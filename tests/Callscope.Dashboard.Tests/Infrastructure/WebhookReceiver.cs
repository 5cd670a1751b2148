using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Dashboard.Tests.Infrastructure;

/// <summary>A message as the receiver got it: the headers Callscope sends with it, and the body exactly as sent.</summary>
public sealed record ReceivedMessage(string Path, string? Id, string? Timestamp, string? Signature, string? Authorization, string Body);

/// <summary>
/// A webhook receiver on 127.0.0.1 with a port of its own, in the test process: it keeps every message it gets, in
/// order, and answers each with a short body: 200 at <see cref="Endpoint"/>, 503 at <see cref="FailingEndpoint"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Answer = "received by the test receiver";
    public const string FailingAnswer = "the test receiver is down";

    private readonly Channel<ReceivedMessage> received = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app) => this.app = app;

    /// <summary>The address to give Callscope as the webhook's endpoint.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>An address whose every answer is a failure.</summary>
    public string FailingEndpoint { get; private set; } = string.Empty;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        receiver.app.MapPost("/hooks", (HttpRequest request) => receiver.KeepAsync(request, Results.Text(Answer)));
        receiver.app.MapPost("/down", (HttpRequest request) =>
            receiver.KeepAsync(request, Results.Text(FailingAnswer, statusCode: StatusCodes.Status503ServiceUnavailable)));
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Endpoint = $"{address.TrimEnd('/')}/hooks";
        receiver.FailingEndpoint = $"{address.TrimEnd('/')}/down";
        return receiver;
    }

    /// <summary>The next message received; fails the test if none comes within a generous bound.</summary>
    public async Task<ReceivedMessage> NextAsync()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        return await received.Reader.ReadAsync(bound.Token);
    }

    private async Task<IResult> KeepAsync(HttpRequest request, IResult answer)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        await received.Writer.WriteAsync(new ReceivedMessage(request.Path, request.Headers["webhook-id"], request.Headers["webhook-timestamp"],
            request.Headers["webhook-signature"], request.Headers.Authorization, body));
        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
