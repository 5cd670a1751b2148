using Callscope.Data.LiveKit;
using Callscope.Server.Hosting;
using Callscope.Server.Outbound;
using Callscope.Server.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Callscope.Server.LiveKit;

/// <summary>The LiveKit integration: webhook ingest, the team's connection settings, and rooms deleted when a session is ended.</summary>
public static class LiveKitHosting
{
    public static WebApplicationBuilder AddLiveKit(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LiveKitOptions>()
            .Bind(builder.Configuration.GetSection(LiveKitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // LiveKit secrets are stored encrypted with Data Protection. Its key ring goes under the data directory, next to
        // the database it unlocks, with a fixed application name so that it keeps working if the install moves.
        services.AddDataProtection(o => o.ApplicationDiscriminator = "callscope");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<CallscopeOptions>, ILoggerFactory>((keys, callscope, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(callscope.Value.KeyRingDirectory), loggers));

        services.AddSingleton<LiveKitIntegrationStore>();
        services.AddSingleton<LiveKitSecrets>();
        services.AddSingleton<WebhookVerifier>();
        services.AddSingleton<RoomServiceClient>();
        services.AddSingleton<ISessionEndHook, DeleteRoomOnEnd>();
        services.AddOutboundHttpClient(RoomServiceClient.HttpClientName)
            .AddResilienceHandler("livekit-room-service", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<LiveKitOptions>>().Value;
                if (options.DeleteRoomAttempts > 1)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.DeleteRoomAttempts - 1,
                        Delay = options.DeleteRoomRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,

                        // A refused address stays refused: asking again would only repeat the refusal.
                        ShouldHandle = args => ValueTask.FromResult(
                            HttpClientResiliencePredicates.IsTransient(args.Outcome) && !OutboundHandler.IsRefusal(args.Outcome.Exception)),
                    });
                }

                pipeline.AddTimeout(options.DeleteRoomTimeout);
            });
        return builder;
    }

    public static WebApplication MapLiveKit(this WebApplication app)
    {
        app.MapLiveKitWebhook();
        app.MapLiveKitIntegration();
        return app;
    }
}
