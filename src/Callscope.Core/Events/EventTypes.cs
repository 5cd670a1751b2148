namespace Callscope.Core.Events;

/// <summary>The event vocabulary of the native ingest API, after Digital Samba's webhook and SDK names.</summary>
public static class EventTypes
{
    public const string ParticipantJoined = "participant_joined";
    public const string ParticipantLeft = "participant_left";
    public const string SessionEnded = "session_ended";
    public const string RoomFinished = "room_finished";

    public static readonly IReadOnlyList<string> All =
    [
        ParticipantJoined, ParticipantLeft, SessionEnded,
        "participant_reconnecting", "participant_reconnected",
        "audio_enabled", "audio_disabled", "video_enabled", "video_disabled",
        "screenshare_started", "screenshare_stopped", "hand_raised", "hand_lowered",
        "role_changed", "permissions_changed",
        "recording_started", "recording_stopped", "recording_failed",
        "media_connection_failed", "media_permissions_failed", "media_device_changed", "app_error",
        "quality_sample", "chat_message",
    ];

    private static readonly HashSet<string> RoomLevel = [SessionEnded, RoomFinished, "recording_started", "recording_stopped", "recording_failed"];

    public static readonly IReadOnlyList<string> LeaveReasons = ["left", "kicked", "network", "timeout", "session_ended", "error"];

    public static bool IsKnown(string type) => All.Contains(type) || type == RoomFinished;

    /// <summary>Events about a participant must name one; room-level and unknown types need not.</summary>
    public static bool NeedsParticipant(string type) => IsKnown(type) && !RoomLevel.Contains(type);

    /// <summary>Events about a room's session rather than one participant: every <c>recording_*</c> type among them.</summary>
    public static bool IsRoomLevel(string type) => RoomLevel.Contains(type) || type.StartsWith("recording_", StringComparison.Ordinal);

    /// <summary>The dashboard's filter groups for the events log.</summary>
    public static string CategoryOf(string type) => type switch
    {
        ParticipantJoined or ParticipantLeft or "participant_reconnecting" or "participant_reconnected" or SessionEnded => "presence",
        "audio_enabled" or "audio_disabled" or "video_enabled" or "video_disabled" or "screenshare_started"
            or "screenshare_stopped" or "media_device_changed" or "track_muted" or "track_unmuted" => "media",
        "quality_sample" => "quality",
        "media_connection_failed" or "media_permissions_failed" or "media_device_failed" or "app_error" or "recording_failed" => "errors",
        _ => "other",
    };
}
