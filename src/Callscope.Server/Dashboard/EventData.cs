using System.Globalization;
using System.Text.Json;
using Callscope.Core.Events;

namespace Callscope.Server.Dashboard;

/// <summary>An event category of the events log filter, with the label people see.</summary>
public sealed record EventCategory(string Code, string Label)
{
    public static readonly IReadOnlyList<EventCategory> All =
    [
        new("presence", "Joins & leaves"),
        new("media", "Media"),
        new("quality", "Quality"),
        new("errors", "Errors"),
        new("other", "Other"),
    ];

    public static string Of(string type) => EventTypes.CategoryOf(type);
}

/// <summary>Reads the stored <c>data</c> of an event for display: flat "key: value" pairs, nested keys dotted.</summary>
public static class EventData
{
    public static IReadOnlyList<KeyValuePair<string, string>> Fields(string? json)
    {
        var fields = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(json))
        {
            return fields;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            Flatten(document.RootElement, prefix: null, fields);
        }
        catch (JsonException)
        {
            fields.Add(new("data", json));
        }

        return fields;
    }

    public static double? NumberOf(string? json, string name)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Flatten(JsonElement element, string? prefix, List<KeyValuePair<string, string>> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix is null ? property.Name : $"{prefix}.{property.Name}", fields);
                }

                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            case JsonValueKind.String:
                fields.Add(new(prefix ?? "value", element.GetString()!));
                break;
            case JsonValueKind.Number:
                fields.Add(new(prefix ?? "value", element.TryGetDouble(out var number) ? number.ToString("0.###", CultureInfo.InvariantCulture) : element.GetRawText()));
                break;
            default:
                fields.Add(new(prefix ?? "value", element.GetRawText()));
                break;
        }
    }
}
