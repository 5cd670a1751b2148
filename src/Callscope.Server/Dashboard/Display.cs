using System.Globalization;
using Callscope.Core.Law;

namespace Callscope.Server.Dashboard;

/// <summary>
/// How the dashboard writes times, durations and ids. Times are UTC, as in the API and the server's logs, so that
/// support staff can compare them without converting.
/// </summary>
public static class Display
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    public static string Time(DateTimeOffset? t) => t is { } v ? Time(v) : "—";

    public static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss", Invariant);

    public static string ClockMs(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss.fff", Invariant);

    /// <summary>ISO 8601 for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Invariant);

    /// <summary>"45 s", "12 min 05 s", "2 h 07 min" — the same format dashboard.js counts with.</summary>
    public static string Duration(TimeSpan d)
    {
        var seconds = (long)Math.Max(0, Math.Floor(d.TotalSeconds));
        return seconds switch
        {
            < 60 => $"{seconds} s",
            < 3600 => $"{seconds / 60} min {seconds % 60:00} s",
            _ => $"{seconds / 3600} h {seconds / 60 % 60:00} min",
        };
    }

    /// <summary>"4:05" or "1:02:03" — the time left of an ending-soon session, as dashboard.js counts it down.</summary>
    public static string Countdown(TimeSpan left)
    {
        var seconds = (long)Math.Max(0, Math.Ceiling(left.TotalSeconds));
        return seconds >= 3600
            ? $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}"
            : $"{seconds / 60}:{seconds % 60:00}";
    }

    /// <summary>Whole milliseconds for the scripts that tick durations and countdowns.</summary>
    public static string Ms(TimeSpan d) => ((long)Math.Max(0, d.TotalMilliseconds)).ToString(Invariant);

    /// <summary>A setting in seconds, written for people: "7 min", "1 min 30 s", "0 s".</summary>
    public static string Seconds(int seconds) => seconds switch
    {
        < 60 => $"{seconds} s",
        _ when seconds % 3600 == 0 => $"{seconds / 3600} h",
        _ when seconds % 60 == 0 => $"{seconds / 60} min",
        _ => $"{seconds / 60} min {seconds % 60} s",
    };

    public static string Minutes(int minutes) => minutes % 60 == 0 ? $"{minutes / 60} h" : minutes > 60 ? $"{minutes / 60} h {minutes % 60} min" : $"{minutes} min";

    /// <summary>
    /// Session ids are UUIDv7, whose leading digits are a timestamp shared by sessions that start in the same minute,
    /// so the short form keeps the first 8 characters (which a search still matches as a prefix) and the last 4.
    /// </summary>
    public static string ShortId(Guid id)
    {
        var text = id.ToString();
        return $"{text[..8]}…{text[^4..]}";
    }

    public static string Number(double value) => value.ToString("0.##", Invariant);

    public static string Or(string? value) => string.IsNullOrWhiteSpace(value) ? "—" : value;

    public static string Words(string? code) => string.IsNullOrEmpty(code) ? "—" : code.Replace('_', ' ');

    public static string StatusLabel(SessionStatus status) => status switch
    {
        SessionStatus.Live => "live",
        SessionStatus.EndingSoon => "ending soon",
        SessionStatus.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string StatusClass(SessionStatus status) => status switch
    {
        SessionStatus.Live => "live",
        SessionStatus.EndingSoon => "ending-soon",
        SessionStatus.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>
    /// Why a session ended, in the words the sessions list and the record use. An end with reason <c>api</c> was asked
    /// for either with the developer key (a call to the end endpoint, or deleting the room; <c>ended_by</c> is
    /// <c>api</c>) or by a member on the dashboard (<c>ended_by</c> is their email).
    /// </summary>
    public static string EndReason(string? reason, string? endedBy) => reason switch
    {
        null => "—",
        EndReasons.GraceExpired => "grace period expired",
        EndReasons.Moderator => "ended by a moderator",
        EndReasons.Api when ThroughTheApi(endedBy) => "ended through the API",
        EndReasons.Api => "ended by a team member",
        EndReasons.SessionLength => "session length reached",
        _ => Words(reason),
    };

    /// <summary>The end reason as the sessions list shows it: a member's end names the member.</summary>
    public static string EndReasonShort(string? reason, string? endedBy) =>
        reason == EndReasons.Api && !ThroughTheApi(endedBy) ? $"ended by {endedBy}" : EndReason(reason, endedBy);

    /// <summary>Who ended a session, for the record: the member's email, a moderator's identity, or the API client.</summary>
    public static string EndedBy(string? reason, string? endedBy) => reason switch
    {
        EndReasons.Api when ThroughTheApi(endedBy) => "an API client (developer key)",
        _ => Or(endedBy),
    };

    /// <summary>The actor the developer-key authentication records; members are recorded by their email.</summary>
    private static bool ThroughTheApi(string? endedBy) => string.IsNullOrEmpty(endedBy) || endedBy == "api";
}
