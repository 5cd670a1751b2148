using System.Text.Json;

namespace Callscope.Server.Api;

/// <summary>Reads fields of a JSON object body, collecting a field error for every wrong type or range.</summary>
public sealed class BodyReader(JsonElement root)
{
    public List<FieldError> Errors { get; } = [];

    public bool Valid => Errors.Count == 0;

    public bool IsObject => root.ValueKind == JsonValueKind.Object;

    public bool Has(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out _);

    public string? Text(string name, int maxLength, bool required = false)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors.Add(new FieldError(name, $"'{name}' is required."));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(new FieldError(name, $"'{name}' must be a string."));
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length > maxLength || (required && text.Length == 0))
        {
            Errors.Add(new FieldError(name, $"'{name}' must be 1 to {maxLength} characters."));
            return null;
        }

        return text;
    }

    public int? Number(string name, int min, int max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
        {
            return number;
        }

        Errors.Add(new FieldError(name, $"'{name}' must be a whole number from {min} to {max}, or null."));
        return null;
    }
}
