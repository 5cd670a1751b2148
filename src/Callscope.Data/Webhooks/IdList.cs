using System.Text.Json;

namespace Callscope.Data.Webhooks;

/// <summary>
/// A list of names kept in one text column as a JSON array: a webhook's events, a room's webhooks. Null stays null
/// (for a room: no limit).
/// </summary>
internal static class IdList
{
    public static string? Write(IReadOnlyList<string>? items) => items is null ? null : JsonSerializer.Serialize(items);

    public static string[]? Read(string? json) => json is null ? null : JsonSerializer.Deserialize<string[]>(json) ?? [];
}
