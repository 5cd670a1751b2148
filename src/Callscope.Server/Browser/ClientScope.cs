using Callscope.Core;

namespace Callscope.Server.Browser;

/// <summary>Where a verified client token lets a browser write: one room of one team, as one participant.</summary>
/// <param name="FromLiveKit">The token is the participant's LiveKit access token: LiveKit's webhooks report presence.</param>
public sealed record ClientScope(TeamId Team, string Room, string Identity, string? Name, string? Role, bool FromLiveKit)
{
    /// <summary>The key the per-participant limits count under.</summary>
    public string LimitKey => $"{Team}\n{Room}\n{Identity}";
}
