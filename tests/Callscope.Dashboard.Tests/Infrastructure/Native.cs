using System.Globalization;

namespace Callscope.Dashboard.Tests.Infrastructure;

/// <summary>Someone in a call: a stable identity and the name people see.</summary>
public sealed record Person(string Identity, string Name, string Role = "attendee");

/// <summary>Native ingest events with real names, for pages that look like a team's real day.</summary>
public static class Native
{
    private static int counter;

    public static object Joined(string room, Person who, DateTimeOffset at, string connection, object? client = null) =>
        Event("participant_joined", room, who, at, connection, client is null ? null : new { client });

    public static object Left(string room, Person who, DateTimeOffset at, string connection, string reason = "left") =>
        Event("participant_left", room, who, at, connection, new { reason });

    public static object Event(string type, string room, Person who, DateTimeOffset at, string connection, object? data = null) => new
    {
        id = $"dash-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}",
        type,
        timestamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        room = new { friendly_url = room },
        participant = new { external_id = who.Identity, name = who.Name, role = who.Role, connection_id = connection },
        data,
    };

    public static object Desktop(string browser = "Chrome", string os = "macOS") => new { device = "desktop", os, browser };

    public static object Mobile(string browser = "Safari", string os = "iOS") => new { device = "mobile", os, browser };
}
