using System.Globalization;

namespace Callscope.Core.Ingest;

/// <summary>Times in event bodies are RFC 3339: an explicit offset (<c>Z</c> or <c>±hh:mm</c>), never a bare local time.</summary>
public static class TimeText
{
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length is < 20 or > 40 || text[10] is not ('T' or 't' or ' '))
        {
            return false;
        }

        var hasOffset = text[^1] is 'Z' or 'z' || (text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }
}
