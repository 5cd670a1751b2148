using Callscope.Core.Events;

namespace Callscope.Data.Sessions;

/// <summary>One event as <see cref="SessionActivity.Measure"/> reads it: its type, time and whose it is (null for the room).</summary>
public sealed record ActivityEvent(string Type, DateTimeOffset At, string? Participant);

/// <summary>
/// What a session's events say about its media and features, for Digital Samba's session statistics: minutes during
/// which participants broadcast (microphone or camera on) and shared a screen, summed over participants; minutes the
/// room was being recorded; chat posts; whether a recording runs at the end of the measured span.
/// </summary>
public sealed record SessionActivity(double BroadcastedMinutes, double ScreenBroadcastedMinutes, double RecordedMinutes, int PublicChatPosts, bool Recording)
{
    public const string ChatMessage = "chat_message";

    /// <summary>The event types that start and stop a recording: all <see cref="Measure"/> needs to say whether one runs.</summary>
    public static readonly IReadOnlyList<string> RecordingTypes = ["recording_started", "recording_stopped", "recording_failed"];

    /// <summary>The event types <see cref="Measure"/> reads; a query needs no others.</summary>
    public static readonly IReadOnlyList<string> Types =
    [
        "audio_enabled", "audio_disabled", "video_enabled", "video_disabled", "screenshare_started", "screenshare_stopped",
        "recording_started", "recording_stopped", "recording_failed", ChatMessage, EventTypes.ParticipantLeft, EventTypes.SessionEnded,
        EventTypes.RoomFinished,
    ];

    /// <summary>
    /// Measures events in time order (ties in the order given) up to <paramref name="until"/> (the session's end, or now
    /// while it is live). A participant's leave ends its media; anything still on at <paramref name="until"/> ends then.
    /// </summary>
    public static SessionActivity Measure(IEnumerable<ActivityEvent> events, DateTimeOffset until)
    {
        var people = new Dictionary<string, Media>(StringComparer.Ordinal);
        var broadcasted = TimeSpan.Zero;
        var screen = TimeSpan.Zero;
        var recorded = TimeSpan.Zero;
        DateTimeOffset? recordingSince = null;
        var chat = 0;

        void Close(Media media, DateTimeOffset at)
        {
            broadcasted += media.SetBroadcast(false, false, at);
            screen += media.SetScreen(false, at);
        }

        void StopRecording(DateTimeOffset at)
        {
            if (recordingSince is { } since)
            {
                recorded += at - since;
                recordingSince = null;
            }
        }

        // Stable: events of the same time keep their order.
        foreach (var e in events.OrderBy(e => e.At))
        {
            if (e.At > until)
            {
                break;
            }

            var media = e.Participant is { } who ? people.TryGetValue(who, out var m) ? m : people[who] = new Media() : null;
            switch (e.Type)
            {
                case "audio_enabled" or "audio_disabled" when media is not null:
                    broadcasted += media.SetBroadcast(e.Type == "audio_enabled", media.Video, e.At);
                    break;
                case "video_enabled" or "video_disabled" when media is not null:
                    broadcasted += media.SetBroadcast(media.Audio, e.Type == "video_enabled", e.At);
                    break;
                case "screenshare_started" or "screenshare_stopped" when media is not null:
                    screen += media.SetScreen(e.Type == "screenshare_started", e.At);
                    break;
                case EventTypes.ParticipantLeft when media is not null:
                    Close(media, e.At);
                    break;
                case "recording_started":
                    recordingSince ??= e.At;
                    break;
                case "recording_stopped" or "recording_failed":
                    StopRecording(e.At);
                    break;
                case ChatMessage:
                    chat++;
                    break;
                case EventTypes.SessionEnded or EventTypes.RoomFinished:
                    foreach (var open in people.Values)
                    {
                        Close(open, e.At);
                    }

                    StopRecording(e.At);
                    break;
                default:
                    break;
            }
        }

        var recording = recordingSince is not null;
        foreach (var open in people.Values)
        {
            Close(open, until);
        }

        StopRecording(until);
        return new SessionActivity(Minutes(broadcasted), Minutes(screen), Minutes(recorded), chat, recording);
    }

    private static double Minutes(TimeSpan span) => Math.Round(span.TotalMinutes, 2);

    /// <summary>One participant's media: whether the microphone, camera and screen share are on, and since when.</summary>
    private sealed class Media
    {
        private DateTimeOffset? broadcastingSince;
        private DateTimeOffset? sharingSince;

        public bool Audio { get; private set; }

        public bool Video { get; private set; }

        /// <summary>Sets the microphone and camera; returns the broadcast time this change closes.</summary>
        public TimeSpan SetBroadcast(bool audio, bool video, DateTimeOffset at)
        {
            (Audio, Video) = (audio, video);
            if (audio || video)
            {
                broadcastingSince ??= at;
                return TimeSpan.Zero;
            }

            return End(ref broadcastingSince, at);
        }

        /// <summary>Starts or stops the screen share; returns the share time this change closes.</summary>
        public TimeSpan SetScreen(bool on, DateTimeOffset at)
        {
            if (on)
            {
                sharingSince ??= at;
                return TimeSpan.Zero;
            }

            return End(ref sharingSince, at);
        }

        private static TimeSpan End(ref DateTimeOffset? since, DateTimeOffset at)
        {
            var span = since is { } s && at > s ? at - s : TimeSpan.Zero;
            since = null;
            return span;
        }
    }
}
