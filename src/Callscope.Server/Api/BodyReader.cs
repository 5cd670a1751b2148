using System.Text.Json;

namespace Callscope.Server.Api;

/// <summary>Reads fields of a JSON object body, collecting a field error for every wrong type or range.</summary>
public sealed class BodyReader(JsonElement root) : IDisposable
{
    private JsonBody.Outcome? owner;

    /// <summary>Reads a JSON object body; on any problem (size, type, syntax, not an object) says which instead.</summary>
    public static async Task<(BodyReader? Fields, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem)> ReadObjectAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body.Problem is { } problem)
        {
            return (null, problem);
        }

        if (body.Document!.RootElement.ValueKind != JsonValueKind.Object)
        {
            body.Dispose();
            return (null, Problems.Validation("body", "The body must be a JSON object."));
        }

        return (new BodyReader(body.Document.RootElement) { owner = body }, null);
    }

    public void Dispose() => owner?.Dispose();

    /// <summary>The object itself, for fields that need more than a type and a range check.</summary>
    public JsonElement Root => root;

    public List<FieldError> Errors { get; } = [];

    public bool Valid => Errors.Count == 0;

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

    /// <summary>A list of strings (each trimmed, 1 to <paramref name="maxLength"/> characters); null when absent or null.</summary>
    public IReadOnlyList<string>? Strings(string name, int maxItems, int maxLength, bool required = false)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors.Add(new FieldError(name, $"'{name}' is required."));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > maxItems)
        {
            Errors.Add(new FieldError(name, $"'{name}' must be an array of at most {maxItems} strings."));
            return null;
        }

        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString()!.Trim() is not { Length: > 0 } text || text.Length > maxLength)
            {
                Errors.Add(new FieldError(name, $"Each item of '{name}' must be a string of 1 to {maxLength} characters.", index));
                return null;
            }

            items.Add(text);
            index++;
        }

        return items;
    }
}
