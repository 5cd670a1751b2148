namespace Callscope.Server.Rooms;

/// <summary>
/// The members of Digital Samba's room that configure its own meeting application (toolbar, colours, chat, recording,
/// roles, ...). Callscope observes calls and runs no meeting application, so no room has any of these settings: a
/// feature switch reads <c>false</c>, a number <c>0</c>, a list <c>[]</c>, a text or a nested record <c>null</c>.
/// They are served so that a client reading a room as Digital Samba documents it finds every member with its type.
/// </summary>
public static class RoomCallSettings
{
    private static readonly string[] Switches =
    [
        "is_locked", "topbar_enabled", "pip_enabled", "toolbar_enabled", "language_selection_enabled", "audio_on_join_enabled",
        "video_on_join_enabled", "audio_autogain_enabled", "audio_noise_suppression_enabled", "audio_echo_cancellation_enabled",
        "screenshare_enabled", "participants_list_enabled", "recordings_enabled", "logo_enabled", "recording_logo_enabled",
        "virtual_backgrounds_enabled", "raise_hand_enabled", "chat_enabled", "private_chat_enabled", "private_group_chat_enabled",
        "pin_enabled", "full_screen_enabled", "minimize_own_tile_enabled", "minimize_own_tile_on_join_enabled", "end_session_enabled",
        "leave_session_enabled", "rejoin_session_enabled", "connection_message_enabled", "e2ee_enabled", "layout_mode_switch_enabled",
        "simple_notifications_enabled", "join_screen_enabled", "participant_names_in_recordings_enabled", "hide_tiles_in_recordings_enabled",
        "invite_participants_enabled", "whiteboard_enabled", "qa_enabled", "upvote_qa_enabled", "shared_notes_enabled", "polls_enabled",
        "files_panel_enabled", "content_library_enabled", "consent_message_enabled", "recording_consent_message_enabled",
        "transcription_auto_start_enabled", "breakout_rooms_enabled", "transcription_enabled", "captions_enabled",
        "captions_in_recordings_enabled",
    ];

    private static readonly string[] Texts =
    [
        "topic", "privacy", "toolbar_position", "toolbar_color", "primary_color", "background_color", "palette_mode", "language",
        "audio_quality", "broadcaster_tile_visibility", "default_content_library", "consent_message_type", "consent_message",
        "checkbox_message", "recordings_layout_mode", "layout_mode_on_join", "room_url", "captions_language", "custom_logo",
        "private_group_chat_name", "library_id", "html_title", "default_role",
    ];

    private static readonly string[] Numbers = ["max_broadcasters", "hd_video_quality"];

    private static readonly string[] Lists = ["languages", "roles", "files", "breakouts"];

    /// <summary>Each setting's member name and value, shared by every room (it never changes).</summary>
    public static readonly IDictionary<string, object?> Values = Build();

    private static Dictionary<string, object?> Build()
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in Switches)
        {
            values[name] = false;
        }

        foreach (var name in Texts)
        {
            values[name] = null;
        }

        foreach (var name in Numbers)
        {
            values[name] = 0;
        }

        foreach (var name in Lists)
        {
            values[name] = Array.Empty<object>();
        }

        return values;
    }
}
