using System.ComponentModel.DataAnnotations;

namespace Callscope.Server.LiveKit;

/// <summary>How Callscope talks to a team's LiveKit server (<c>Callscope__LiveKit__...</c>).</summary>
public sealed class LiveKitOptions
{
    public const string Section = "Callscope:LiveKit";

    /// <summary>Calls to RoomService <c>DeleteRoom</c> in all, the first included (<c>Callscope__LiveKit__DeleteRoomAttempts</c>).</summary>
    [Range(1, 10)]
    public int DeleteRoomAttempts { get; set; } = 3;

    /// <summary>The wait before the first retry; it doubles for each further one (<c>Callscope__LiveKit__DeleteRoomRetryDelay</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan DeleteRoomRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one <c>DeleteRoom</c> call may take (<c>Callscope__LiveKit__DeleteRoomTimeout</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DeleteRoomTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
