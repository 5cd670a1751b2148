using Callscope.Data.Webhooks;
using Callscope.Server.Hosting;
using Callscope.Server.Outbound;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Webhooks;

/// <summary>Outbound webhooks: their store and secrets, the outbox's queue, and the dispatcher that sends it.</summary>
public static class WebhookHosting
{
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton<WebhookSecrets>();
        services.AddHostedService<WebhookDispatcher>();

        // No retries here: the dispatcher keeps its own schedule in the database. The timeout is the dispatcher's too.
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = OutboundHandler.Create(sp.GetRequiredService<IOptions<CallscopeOptions>>().Value.Outbound.AllowPrivateNetworks);
                handler.ConnectTimeout = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.ConnectTimeout;
                return handler;
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)

            // An endpoint's URL may carry a team's secret in its query: the client's own request logs would write it out.
            .RemoveAllLoggers();
        return builder;
    }
}
