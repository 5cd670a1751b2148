using Callscope.Core;
using Callscope.Data.Sessions;
using Callscope.Data.Teams;
using Callscope.Server.Dashboard.Live;

namespace Callscope.Server.Dashboard;

public sealed record HeaderFigures(string TeamName, int? MaxSessions, LiveCounts Live);

/// <summary>What every page of one request shares: the live-update version it was read at, and the header figures.</summary>
public sealed class DashboardRequest(TeamStore teams, DashboardQueries queries, DashboardUpdates updates)
{
    private HeaderFigures? header;

    /// <summary>Taken before the page reads its data, so any change committed after the read arrives as an update.</summary>
    public long? Version { get; private set; }

    public void CaptureVersion(TeamId team) => Version ??= updates.VersionOf(team);

    public HeaderFigures Header(TeamId team)
    {
        if (header is null)
        {
            var found = teams.Find(team);
            header = new HeaderFigures(found?.Name ?? string.Empty, found?.MaxSessions, queries.Live(team));
        }

        return header;
    }
}
