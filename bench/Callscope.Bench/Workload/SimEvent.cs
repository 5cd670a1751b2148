namespace Callscope.Bench.Workload;

/// <summary>One native event as the bench generates it; <see cref="Data"/> is the <c>data</c> object as JSON text.</summary>
public sealed record SimEvent(
    string Id,
    string Type,
    long TimeMs,
    string Room,
    string? ExternalId = null,
    string? Name = null,
    string? Role = null,
    string? ConnectionId = null,
    string? Data = null)
{
    /// <summary>The types the session law reads (the rest only go to the events log).</summary>
    public bool IsLaw => Type is "participant_joined" or "participant_left" or "session_ended" or "room_finished";
}
