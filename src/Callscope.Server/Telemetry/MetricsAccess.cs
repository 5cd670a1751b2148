using System.Net;
using Callscope.Data.Teams;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c>: a caller on this machine (a loopback address, not relayed by a proxy), a caller with
/// any team's developer key (<c>Authorization: Bearer KEY</c>), or anyone once the operator sets
/// <see cref="TelemetryOptions.OpenMetrics"/>. Others get a 401 problem and no metric text.
/// </summary>
public sealed class MetricsAccess(TeamStore teams, IOptions<TelemetryOptions> options)
{
    /// <summary>Middleware in front of the exporter: refused callers never reach it.</summary>
    public Task GuardAsync(HttpContext context, Func<Task> next)
    {
        if (options.Value.OpenMetrics || IsLocal(context) || HasDeveloperKey(context.Request))
        {
            return next();
        }

        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"callscope\"";
        return Problems.Create(StatusCodes.Status401Unauthorized, "unauthorized",
            "Metrics are served to callers on this machine, or with a developer key: 'Authorization: Bearer <key>'.").ExecuteAsync(context);
    }

    /// <summary>
    /// A loopback caller, unless the request names an original client: a reverse proxy on this machine relays
    /// everyone's requests from loopback.
    /// </summary>
    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
        && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
        && !context.Request.Headers.ContainsKey("X-Forwarded-For")
        && !context.Request.Headers.ContainsKey("Forwarded");

    private bool HasDeveloperKey(HttpRequest request) => DeveloperKeyHandler.BearerTeam(teams, request.Headers.Authorization.ToString()) is not null;
}
