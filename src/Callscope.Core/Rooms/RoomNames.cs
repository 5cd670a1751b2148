using Callscope.Core.Ingest;

namespace Callscope.Core.Rooms;

/// <summary>
/// Which names a room may have. A room is reached by name in paths (<c>/rooms/{room}</c>), so a name must be one
/// path segment that no route and no room id can be mistaken for: not <c>live</c> (the live-rooms route), no
/// <c>/</c> or <c>\</c>, not <c>.</c> or <c>..</c> (clients collapse them), not shaped like a UUID (a room id), no
/// control characters, no leading or trailing white space.
/// </summary>
public static class RoomNames
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="name"/> cannot name a room, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length is 0 or > MaxLength)
        {
            return $"A room name has 1 to {MaxLength} characters.";
        }

        if (name.Trim().Length != name.Length)
        {
            return "A room name cannot start or end with white space.";
        }

        if (name.AsSpan().ContainsAny('/', '\\') || EventRules.HasControl(name))
        {
            return "A room name cannot contain '/', '\\' or control characters.";
        }

        if (name is "." or ".." || name.Equals("live", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{name}' is reserved and cannot name a room.";
        }

        if (Guid.TryParse(name, out _))
        {
            return "A room name cannot have the shape of a room id (a UUID).";
        }

        return null;
    }
}
