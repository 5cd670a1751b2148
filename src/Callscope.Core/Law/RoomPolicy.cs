namespace Callscope.Core.Law;

/// <summary>The settings the law needs for one room: the room's overrides, else the team's.</summary>
public sealed record RoomPolicy(TimeSpan GracePeriod, TimeSpan? SessionLength)
{
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(420);

    public static RoomPolicy Default { get; } = new(DefaultGracePeriod, null);

    public static RoomPolicy Resolve(int teamGraceSeconds, int? teamLengthMinutes, int? roomGraceSeconds, int? roomLengthMinutes)
    {
        var grace = TimeSpan.FromSeconds(roomGraceSeconds ?? teamGraceSeconds);
        var lengthMinutes = roomLengthMinutes ?? teamLengthMinutes;
        return new RoomPolicy(grace, lengthMinutes is { } m ? TimeSpan.FromMinutes(m) : null);
    }
}
