using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Dialects;
using Callscope.Data.Diagnosis;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Teams;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Browser;
using Callscope.Server.Dashboard;
using Callscope.Server.Diagnosis;
using Callscope.Server.Ingestion;
using Callscope.Server.LiveKit;
using Callscope.Server.Participants;
using Callscope.Server.Privacy;
using Callscope.Server.Rooms;
using Callscope.Server.Sessions;
using Callscope.Server.Statistics;
using Callscope.Server.Teams;
using Callscope.Server.Telemetry;
using Callscope.Server.Webhooks;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Callscope.Server.Hosting;

public static class CallscopeHosting
{
    public static WebApplicationBuilder AddCallscope(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CallscopeOptions>()
            .Bind(builder.Configuration.GetSection(CallscopeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IValidateOptions<CallscopeOptions>, DatabaseOptionsValidator>();
        services.AddSingleton<IValidateOptions<CallscopeOptions>, BootstrapOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CallscopeOptions>>().Value;
            return CallscopeDatabase.Create(options.Database.Provider, options.Database.ConnectionString, Path.GetFullPath(options.DataDirectory),
                options.Database.ReaderPageCacheMib);
        });
        services.AddSingleton<TeamStore>();
        services.AddSingleton<BrowserAccessStore>();
        services.AddOptions<ClientIngestOptions>().Bind(builder.Configuration.GetSection(ClientIngestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ClientTokens>();
        services.AddSingleton<ClientLimits>();
        services.AddSingleton<RoomStore>();
        services.AddSingleton<SessionQueries>();
        services.AddSingleton<Callscope.Data.Usage.UsageQueries>();
        services.AddSingleton(sp => new IngestPipeline(sp.GetRequiredService<CallscopeDatabase>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<SqliteUpkeep>(), sp.GetService<ILogger<IngestPipeline>>(), sp.GetRequiredService<Callscope.Data.Telemetry.CallscopeMetrics>(),
            sp.GetRequiredService<IOptions<WriterOptions>>().Value.ToMemory())
        {
            Diagnosing = sp.GetRequiredService<IOptions<CallscopeOptions>>().Value.Diagnosis.Enabled,
        });
        services.AddSingleton<IssueQueries>();
        services.AddSingleton<DiagnosisWorker>();
        services.AddSingleton<IPasswordHasher<Member>, PasswordHasher<Member>>();
        services.AddSingleton<Bootstrap>();
        services.AddSingleton<SessionEnding>();
        services.AddHostedService<WriterService>();
        services.AddHostedService<ExpirySweeper>();
        services.AddHostedService<ChangeListener>();
        services.AddHostedService<DiagnosisService>();
        services.AddSingleton<Callscope.Data.Usage.UsageWorker>();
        services.AddHostedService<UsageService>();
        services.AddSingleton(sp =>
        {
            var retention = sp.GetRequiredService<IOptions<RetentionOptions>>().Value;
            return new Callscope.Data.Retention.RetentionWorker(sp.GetRequiredService<CallscopeDatabase>(), sp.GetRequiredService<IngestPipeline>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<Callscope.Data.Retention.RetentionWorker>>())
            {
                Interval = retention.Interval, BatchRows = retention.BatchRows,
            };
        });
        services.AddHostedService<RetentionService>();
        services.AddOptions<MemoryOptions>().Bind(builder.Configuration.GetSection(MemoryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<MemoryTrimService>();
        services.AddOptions<WriterOptions>().Bind(builder.Configuration.GetSection(WriterOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(builder.Configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        // A request with an Authorization header is an API call (developer key); anything else is a dashboard
        // member with a sign-in cookie.
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "Developer key or member cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? DeveloperKeyHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, DeveloperKeyHandler>(DeveloperKeyHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "callscope";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/signin";
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events.OnRedirectToLogin = context => RedirectOrProblem(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => RedirectOrProblem(context, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(TeamClaims.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        services.AddAntiforgery(o => o.HeaderName = ApiWriteGuard.TokenHeader);
        services.AddSingleton<PasswordAttempts>();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new UtcTimeConverter());
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.Remove("traceId");
            problem.Extensions.TryAdd("message", problem.Detail ?? problem.Title);
            problem.Extensions.TryAdd("error", (problem.Status ?? 500) switch
            {
                400 => "bad-request",
                404 => "not-found",
                401 => "unauthorized",
                403 => "forbidden",
                405 => "method-not-allowed",
                413 => "payload-too-large",
                415 => "unsupported-media-type",
                429 => "too-many-requests",
                _ => "internal-error",
            });
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Callscope API";
            document.Info.Description = "Sessions, participants and events logs of your calls; compatible with Digital Samba's sessions API.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddPrivateKeyRing();
        builder.AddTelemetry();
        services.AddProxySupport(builder.Configuration);
        builder.AddLiveKit();
        builder.AddWebhooks();
        builder.AddAudit();
        builder.AddDashboard();
        return builder;
    }

    private const string CallerScheme = "Caller";

    /// <summary>API callers get a problem response; people in a browser are sent to the sign-in page.</summary>
    private static Task RedirectOrProblem(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        if (status != StatusCodes.Status401Unauthorized)
        {
            return Problems.Forbidden("This needs an admin of the team.").ExecuteAsync(context.HttpContext);
        }

        // Bearer only: a Basic challenge would make browsers ask for a password and then send it on their own, from any site.
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"callscope\"";
        return Problems.Unauthorized().ExecuteAsync(context.HttpContext);
    }

    public static WebApplication UseCallscope(this WebApplication app)
    {
        app.Services.GetRequiredService<CallscopeDatabase>().Migrate(app.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        app.Services.GetRequiredService<Bootstrap>().EnsureFirstTeam(Console.Out);

        app.UseProxySupport();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = error => error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // The writer has logged the cause of a failed write once already.
            SuppressDiagnosticsCallback = context => context.Exception is WriteFailedException,
        });
        if (!app.Environment.IsDevelopment())
        {
            // Browsers that reached Callscope over HTTPS keep to HTTPS (ASP.NET Core's defaults: 30 days, not sent
            // for localhost). Behind a proxy that ends TLS, Callscope sees HTTPS once the proxy is named in
            // Callscope:Proxy (docs/deploy.md); otherwise the proxy sends it.
            app.UseHsts();
        }

        app.UseTelemetry();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseApiWriteGuard();

        app.MapOpenApi("/openapi/v1.json");
        // The reference works offline: its script is served by Callscope itself, and nothing is fetched from
        // Scalar's servers (fonts, telemetry, the AI agent); the page uses the system's fonts.
        app.MapScalarApiReference("/scalar", o => o.WithTitle("Callscope API").WithOpenApiRoutePattern("/openapi/v1.json")
            .DisableDefaultFonts().DisableTelemetry().DisableAgent());
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapIngestRoutes();
        api.MapLiveRoomRoutes();
        api.MapSessionRoutes();
        api.MapParticipantRoutes();
        api.MapRoomRoutes();
        api.MapPrivacyRoutes();
        api.MapTeamRoutes();
        api.MapStatisticsRoutes();
        api.MapIssueRoutes();
        api.MapClientTokenRoutes();
        api.MapWebhookRoutes();
        api.MapAuditRoutes();
        app.MapClientIngest();
        app.MapLiveKit();
        app.MapDashboard();
        return app;
    }
}
