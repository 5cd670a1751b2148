using Callscope.Data.Diagnosis;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>Runs the diagnosis worker for the life of the process, unless the diagnosis is turned off.</summary>
public sealed class DiagnosisService(DiagnosisWorker worker, IOptions<CallscopeOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Diagnosis.Enabled ? worker.RunAsync(stoppingToken) : Task.CompletedTask;
}
