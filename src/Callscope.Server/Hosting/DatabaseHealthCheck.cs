using Callscope.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Callscope.Server.Hosting;

public sealed class DatabaseHealthCheck(CallscopeDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.IsReachable() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database is not reachable."));
}
