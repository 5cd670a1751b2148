using System.Threading.RateLimiting;
using Callscope.Data.Sessions;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Callscope.Server.Dashboard.Live;
using Callscope.Server.Dashboard.Members;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;

namespace Callscope.Server.Dashboard;

/// <summary>The team dashboard: server-rendered Razor Pages, a little plain JavaScript, and live updates over server-sent events.</summary>
public static class DashboardHosting
{
    public const string SignInLimit = "dashboard-sign-in";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AuthorizePage("/Members", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizePage("/Settings", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizeFolder("/Webhooks", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizeFolder("/Audit", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizePage("/Rooms/Edit", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizePage("/Sessions/End", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizePage("/Sessions/DeleteHistory", TeamClaims.AdminPolicy);
            o.Conventions.AuthorizePage("/Rooms/DeleteHistory", TeamClaims.AdminPolicy);
            o.Conventions.AddPageRoute("/Rooms/Edit", "/rooms/new");
            o.Conventions.ConfigureFilter(new SecurityHeaders());
            o.Conventions.ConfigureFilter(new ExpiredFormRetry());
        });

        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<DashboardUpdates>();
        services.AddScoped<DashboardRequest>();

        // A member's role or removal takes effect on their next request, not when their cookie expires; a member
        // without the needed role sees an explanation instead of the sign-in form.
        services.PostConfigure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, o =>
        {
            o.AccessDeniedPath = "/denied";
            o.Events.OnValidatePrincipal = MemberPrincipal.ValidateAsync;
        });

        // Password guessing is slowed per client address here, and per account by PasswordAttempts; page views are
        // not limited. A refusal is a problem with Retry-After.
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => new ValueTask(Problems.TooManyRequestsAsync(context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null,
                "Too many sign-in attempts from this address; try again later."));
            o.AddPolicy(SignInLimit, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(string.Empty));
        });
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseStaticFiles(Browser.SdkFiles.StaticFileOptions());
        app.UseRateLimiter();
        app.MapRazorPages();
        app.MapDashboardUpdates();
        return app;
    }
}
