using System.Globalization;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Api;

/// <summary>
/// Reads query parameters strictly: every bad value becomes a listed field error, never a default. With
/// <paramref name="emptyIsAbsent"/> a parameter given once with no value counts as not given, as a form's empty fields send it.
/// </summary>
public sealed class QueryReader(IQueryCollection query, bool emptyIsAbsent = false)
{
    public List<FieldError> Errors { get; } = [];

    public bool Valid => Errors.Count == 0;

    public int Number(string name, int fallback, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Errors.Add(new FieldError(name, $"'{name}' must be a whole number from {min} to {max}."));
        return fallback;
    }

    public bool? Bool(string name)
    {
        return Single(name) switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => Fail<bool?>(name, $"'{name}' must be true or false."),
        };
    }

    public Guid? Uuid(string name)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        return Guid.TryParseExact(text, "D", out var id) ? id : Fail<Guid?>(name, $"'{name}' must be a UUID.");
    }

    /// <summary>A date (<c>YYYY-MM-DD</c>, taken as the start or the end of that UTC day) or an RFC 3339 time.</summary>
    public DateTimeOffset? Date(string name, bool endOfDay)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // The last millisecond of the day, computed within the day so that 9999-12-31 does not overflow.
            return new DateTimeOffset(day.ToDateTime(endOfDay ? new TimeOnly(23, 59, 59, 999) : TimeOnly.MinValue), TimeSpan.Zero);
        }

        return TimeText.TryParse(text, out var time) ? time : Fail<DateTimeOffset?>(name, $"'{name}' must be YYYY-MM-DD or an RFC 3339 time.");
    }

    public string? Text(string name, int maxLength)
    {
        var text = Single(name);
        return text is { Length: > 0 } && text.Length > maxLength ? Fail<string?>(name, $"'{name}' must be at most {maxLength} characters.") : text;
    }

    public Paging Paging()
    {
        var limit = Number("limit", 100, 1, 100);
        var offset = Number("offset", 0, 0, 10_000_000);
        var descending = Single("order") switch
        {
            null or "desc" => true,
            "asc" => false,
            _ => Fail<bool>("order", "'order' must be asc or desc."),
        };
        var after = Text("after", 200);
        return new Paging(limit, offset, descending, string.IsNullOrEmpty(after) ? null : after.ToLowerInvariant());
    }

    /// <summary>
    /// The answer to an <c>after</c> that names nothing of the list: starting again at page 1 would send a client
    /// paging with a stale cursor round for ever.
    /// </summary>
    public static ProblemHttpResult UnknownCursor() =>
        Problems.Validation("after", "'after' names no item of this list; to start from the first page, leave it out.");

    private string? Single(string name)
    {
        if (!query.TryGetValue(name, out var values) || (emptyIsAbsent && string.IsNullOrEmpty(values)))
        {
            return null;
        }

        if (values.Count > 1)
        {
            return Fail<string?>(name, $"'{name}' may be given only once.");
        }

        // A NUL is never meaningful in a filter, and PostgreSQL cannot even compare text with one.
        return values[0] is { } value && value.Contains('\0', StringComparison.Ordinal)
            ? Fail<string?>(name, $"'{name}' must not contain a NUL character.")
            : values[0];
    }

    private T Fail<T>(string name, string message)
    {
        Errors.Add(new FieldError(name, message));
        return default!;
    }
}
