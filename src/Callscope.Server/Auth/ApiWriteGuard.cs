using Callscope.Server.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Callscope.Server.Auth;

/// <summary>
/// The rule for every call that changes something through the API (any method but GET, HEAD, OPTIONS and TRACE under
/// <c>/api</c>, on every route, present or added later), made by a signed-in member's cookie rather than a developer
/// key:
/// <list type="bullet">
/// <item>ingest (<c>/api/v1/ingest/...</c>) takes developer keys only;</item>
/// <item>only an admin may change anything;</item>
/// <item>the call carries the anti-forgery token of the member's sign-in in the <c>RequestVerificationToken</c>
/// header (or form field), so that no page of another site can make it with the member's cookie.</item>
/// </list>
/// Each refusal is a 403 problem, given before the endpoint runs, so nothing is stored. Developer keys act as an admin
/// of their team and are not sent by browsers on their own, so they need no token. Calls without a sign-in are left to
/// the endpoints' own authorization (401, or the LiveKit webhook's signature).
/// </summary>
public static class ApiWriteGuard
{
    public const string TokenHeader = "RequestVerificationToken";

    public static IApplicationBuilder UseApiWriteGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (await RefusalAsync(context) is { } refusal)
        {
            await Problems.Forbidden(refusal).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private const string NoToken =
        "A change through the API with a sign-in cookie needs the sign-in's anti-forgery token in the 'RequestVerificationToken' header; or use a developer key.";

    private static bool IsMemberWrite(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme };

    private static async Task<string?> RefusalAsync(HttpContext context)
    {
        if (!IsMemberWrite(context))
        {
            return null;
        }

        if (context.Request.Path.StartsWithSegments("/api/v1/ingest", StringComparison.OrdinalIgnoreCase))
        {
            return "Events are sent with the team's developer key (or, from a participant's browser, a client token), not a dashboard sign-in.";
        }

        if (!context.User.IsAdmin())
        {
            return "This needs an admin of the team.";
        }

        return await HasTokenAsync(context) ? null : NoToken;
    }

    private static async Task<bool> HasTokenAsync(HttpContext context)
    {
        try
        {
            return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
        }
        catch (Exception error) when (error is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or IOException)
        {
            // An unreadable form is no token at all.
            return false;
        }
    }
}
