using Callscope.Core;
using Callscope.Data.Audit;
using Callscope.Data.Writing;

namespace Callscope.Server.Sessions;

/// <summary>Something that must happen after a team member ended a session (e.g. asking the media server to close the room).</summary>
public interface ISessionEndHook
{
    Task OnEndedAsync(TeamId team, string sessionId, CancellationToken cancellationToken);
}

/// <summary>Ending a session from the API or the dashboard: one path for both.</summary>
public sealed class SessionEnding(IngestPipeline pipeline, IEnumerable<ISessionEndHook> hooks)
{
    /// <summary>Ends the session; <paramref name="audit"/>, when given, is recorded with the end if it ended.</summary>
    public async Task<EndOutcome> EndAsync(TeamId team, string sessionId, string endedBy, AuditEntry? audit, CancellationToken cancellationToken)
    {
        var outcome = await pipeline.SendAsync(
            new EndSessionCommand(team, sessionId, endedBy) { Audit = ended => ended == EndOutcome.Ended ? audit : null }, cancellationToken);
        if (outcome == EndOutcome.Ended)
        {
            foreach (var hook in hooks)
            {
                await hook.OnEndedAsync(team, sessionId, cancellationToken);
            }
        }

        return outcome;
    }
}
