using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Rooms;

namespace Callscope.Core.Ingest;

/// <summary>One thing wrong with an incoming event: the field (as the native API names it) and why.</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>
/// A known numeric field of the vocabulary and the values it may take, both ends included; a <paramref name="Whole"/>
/// one takes no fraction (a count of pixels).
/// </summary>
public sealed record NumericField(string EventType, string Name, double Min, double Max, bool Whole = false);

/// <summary>A known text field of the vocabulary that takes one of a few values, spelt exactly.</summary>
public sealed record ChoiceField(string EventType, string Name, IReadOnlyList<string> Values);

/// <summary>
/// What every event must be before it is stored, whichever source it came from (native JSON or a LiveKit webhook):
/// the rules are written once here and both readers run them on the event they built, so that neither source can
/// store what the other refuses.
/// </summary>
public static class EventRules
{
    public const int MaxIdLength = 200;
    public const int MaxTypeLength = 100;
    public const int MaxTextLength = 200;
    public const int MaxRoleLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxDataLength = 8192;

    /// <summary>SPEC 2 rule 8: a time further ahead of the server clock than this is clamped to the receive time.</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromSeconds(5);

    /// <summary>Session ids are time-ordered UUIDs (version 7), which begin at the Unix epoch: no event can be older.</summary>
    public static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The numeric data fields of the vocabulary (SPEC 3.1; a <c>quality_sample</c>'s are those the diagnosis and the
    /// chart read). Each must be a finite JSON number in its range.
    /// </summary>
    public static readonly IReadOnlyList<NumericField> NumericFields =
    [
        new("quality_sample", "rtt_ms", 0, 60_000),
        new("quality_sample", "jitter_ms", 0, 60_000),
        new("quality_sample", "packet_loss_pct", 0, 100),
        new("quality_sample", "mos", 1, 5),
        new("quality_sample", "bitrate_up_kbps", 0, 10_000_000),
        new("quality_sample", "bitrate_down_kbps", 0, 10_000_000),
        new("quality_sample", "audio_bitrate_up_kbps", 0, 10_000_000),
        new("quality_sample", "audio_bitrate_down_kbps", 0, 10_000_000),
        new("quality_sample", "fps", 0, 1000),
        new("quality_sample", "width", 0, 16_384, Whole: true),
        new("quality_sample", "height", 0, 16_384, Whole: true),
        new("quality_sample", "score", 0, 5),
    ];

    /// <summary>
    /// The data fields of the vocabulary that take one of a few values (WebRTC's own spellings, so a client passes on
    /// what its browser reports). <c>connection_state</c> takes both the peer connection's states and the ICE
    /// connection's; <c>network_type</c> the Network Information API's types and <c>vpn</c>.
    /// </summary>
    public static readonly IReadOnlyList<ChoiceField> ChoiceFields =
    [
        new("quality_sample", "quality_limitation", ["none", "bandwidth", "cpu", "other"]),
        new("quality_sample", "candidate_type", ["host", "srflx", "prflx", "relay"]),
        new("quality_sample", "network_type", ["wifi", "ethernet", "cellular", "vpn", "bluetooth", "wimax", "mixed", "none", "other", "unknown"]),
        new("quality_sample", "connection_state", ["new", "checking", "connecting", "connected", "completed", "disconnected", "failed", "closed"]),
    ];

    public static readonly IReadOnlyList<string> Devices = ["desktop", "mobile", "tablet", "smarttv"];

    /// <summary><see cref="NumericFields"/> by event type, in their order, so that an event reads only its own.</summary>
    private static readonly FrozenDictionary<string, NumericField[]> NumericFieldsByType =
        NumericFields.GroupBy(f => f.EventType).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary><see cref="ChoiceFields"/> by event type, in their order.</summary>
    private static readonly FrozenDictionary<string, ChoiceField[]> ChoiceFieldsByType =
        ChoiceFields.GroupBy(f => f.EventType).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    private static readonly SearchValues<char> TypeCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    private static readonly string[] ClientTexts = ["user_agent", "os", "browser", "sdk", "network_type"];

    /// <summary>A time as stored, and how far ahead of the server clock it was when it had to be clamped.</summary>
    public static (DateTimeOffset Timestamp, TimeSpan? Skew) Clamp(DateTimeOffset timestamp, DateTimeOffset receivedAt) =>
        timestamp > receivedAt + AllowedSkew ? (receivedAt, timestamp - receivedAt) : (timestamp, null);

    /// <summary>Event types are lower-case letters, digits and underscores.</summary>
    public static string? TypeProblem(string type) =>
        type.Length is 0 or > MaxTypeLength ? $"'type' has 1 to {MaxTypeLength} characters."
        : !type.AsSpan().ContainsAnyExcept(TypeCharacters) ? null
        : "'type' must be lower-case letters, digits and underscores.";

    /// <summary>Why a short text (an id, a name, an identity) cannot be stored, or null when it can.</summary>
    public static string? TextProblem(string field, string text, int maxLength, bool required = false)
    {
        if (text.Length == 0 && required)
        {
            return $"'{field}' must not be empty.";
        }

        if (text.Length > maxLength)
        {
            return $"'{field}' must be at most {maxLength} characters.";
        }

        return HasControl(text) ? $"'{field}' cannot contain control characters."
            : !IsWellFormed(text) ? $"'{field}' cannot contain half of a surrogate pair, which is not text."
            : null;
    }

    /// <summary>Whether the text holds a character <see cref="char.IsControl(char)"/> calls a control (C0, DEL and C1).</summary>
    public static bool HasControl(ReadOnlySpan<char> text) =>
        text.ContainsAnyInRange('\u0000', '\u001F') || text.ContainsAnyInRange('\u007F', '\u009F');

    /// <summary>Whether every surrogate has its partner: a lone one cannot be stored as UTF-8 text.</summary>
    private static bool IsWellFormed(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Every rule an event breaks, in field order; empty when it may be stored. A reader that already holds the event's
    /// <c>data</c> parsed passes it as <paramref name="data"/>, so that the text is not parsed a second time.
    /// </summary>
    public static List<FieldProblem> Check(IncomingEvent e, JsonElement? data = null)
    {
        var problems = new List<FieldProblem>();
        void Text(string field, string? value, int max, bool required = false)
        {
            if (value is not null && TextProblem(field, value, max, required) is { } problem)
            {
                problems.Add(new(field, problem));
            }
        }

        Text("id", e.Id, MaxIdLength, required: true);
        if (TypeProblem(e.Type) is { } typeProblem)
        {
            problems.Add(new("type", typeProblem));
        }

        if (e.Timestamp < Epoch)
        {
            problems.Add(new("timestamp", EpochMessage("timestamp")));
        }

        if (e.Room.Id is null)
        {
            if (e.Room.FriendlyUrl is not { } name)
            {
                problems.Add(new("room", "'room' needs an 'id' or a non-empty 'friendly_url'."));
            }
            else if (RoomNames.Problem(name) is { } nameProblem)
            {
                problems.Add(new("room.friendly_url", nameProblem));
            }

            Text("room.external_id", e.Room.ExternalId, MaxTextLength);
            if (e.Room.Description is { Length: > MaxDescriptionLength })
            {
                problems.Add(new("room.description", $"'room.description' must be at most {MaxDescriptionLength} characters."));
            }
            else if (e.Room.Description is { } description && description.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                problems.Add(new("room.description", "'room.description' cannot contain control characters other than line breaks and tabs."));
            }
        }

        if (e.Participant is { } p)
        {
            Text("participant.external_id", p.ExternalId, MaxTextLength);
            Text("participant.name", p.Name, MaxTextLength);
            Text("participant.role", p.Role, MaxRoleLength);
            Text("participant.connection_id", p.ConnectionId, MaxTextLength);
        }
        else if (EventTypes.NeedsParticipant(e.Type))
        {
            problems.Add(new("participant", $"'{e.Type}' events need a 'participant' object."));
        }

        if (e.DataJson is { } json)
        {
            if (json.Length > MaxDataLength)
            {
                problems.Add(new("data", $"'data' must be at most {MaxDataLength} characters of JSON."));
            }
            else if (data is { } parsed)
            {
                CheckData(e.Type, parsed, problems);
            }
            else
            {
                using var document = JsonDocument.Parse(json);
                CheckData(e.Type, document.RootElement, problems);
            }
        }

        return problems;
    }

    /// <summary>The rules of the vocabulary's data fields (SPEC 3.1) for one event's <c>data</c>.</summary>
    private static void CheckData(string type, JsonElement data, List<FieldProblem> problems)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("data", "'data' must be an object."));
            return;
        }

        void Error(string field, string message) => problems.Add(new(field, message));

        foreach (var field in NumericFieldsByType.GetValueOrDefault(type, []))
        {
            if (data.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null && NumberProblem(field, value) is { } problem)
            {
                Error("data." + field.Name, problem);
            }
        }

        foreach (var field in ChoiceFieldsByType.GetValueOrDefault(type, []))
        {
            if (data.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null && ChoiceProblem(field, value) is { } problem)
            {
                Error("data." + field.Name, problem);
            }
        }

        switch (type)
        {
            case EventTypes.ParticipantJoined when data.TryGetProperty("client", out var client) && client.ValueKind != JsonValueKind.Null:
                if (client.ValueKind != JsonValueKind.Object)
                {
                    Error("data.client", "'data.client' must be an object.");
                    break;
                }

                foreach (var name in ClientTexts)
                {
                    OptionalString(client, name, 500, "data.client." + name, Error);
                }

                if (OptionalString(client, "device", 20, "data.client.device", Error) is { } device && !Devices.Contains(device))
                {
                    Error("data.client.device", "'data.client.device' must be desktop, mobile, tablet or smarttv.");
                }

                break;
            case EventTypes.ParticipantLeft:
                if (OptionalString(data, "reason", 50, "data.reason", Error) is { } reason && !EventTypes.LeaveReasons.Contains(reason))
                {
                    Error("data.reason", "'data.reason' must be one of: " + string.Join(", ", EventTypes.LeaveReasons) + ".");
                }

                if (OptionalString(data, "joined_at", 40, "data.joined_at", Error) is { } joinedAt)
                {
                    if (!TimeText.TryParse(joinedAt, out var joined))
                    {
                        Error("data.joined_at", "'data.joined_at' must be an RFC 3339 time.");
                    }
                    else if (joined < Epoch)
                    {
                        Error("data.joined_at", EpochMessage("data.joined_at"));
                    }
                }

                break;
            case EventTypes.SessionEnded:
                OptionalString(data, "ended_by", MaxTextLength, "data.ended_by", Error);
                break;
        }
    }

    /// <summary>
    /// Why a known numeric field's value cannot be stored: not a number, not finite (<c>1e400</c>), out of range, or a
    /// fraction where a whole number belongs.
    /// </summary>
    public static string? NumberProblem(NumericField field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return RangeMessage(field);
        }

        // TryGetDouble refuses what overflows a double (1e400); the text is parsed only then, to tell that from a number
        // too long for its parser, without an exception either way.
        var read = value.TryGetDouble(out var number)
            || double.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        return read && double.IsFinite(number) && number >= field.Min && number <= field.Max && (!field.Whole || double.IsInteger(number))
            ? null
            : RangeMessage(field);
    }

    private static string RangeMessage(NumericField field) =>
        $"'data.{field.Name}' must be a number from {Show(field.Min)} to {Show(field.Max)}" + (field.Whole ? ", with no fraction." : ".");

    /// <summary>Why a known choice field's value cannot be stored: not a string, or not one of its values.</summary>
    public static string? ChoiceProblem(ChoiceField field, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && IsOneOf(value, field.Values)
            ? null
            : $"'data.{field.Name}' must be one of: {string.Join(", ", field.Values)}.";

    private static bool IsOneOf(JsonElement text, IReadOnlyList<string> values)
    {
        try
        {
            return values.Any(text.ValueEquals);
        }
        catch (InvalidOperationException)
        {
            // Half of a surrogate pair (an escaped "\ud800") is not text, so it is none of the values.
            return false;
        }
    }

    private static string Show(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string EpochMessage(string field) => $"'{field}' must be at or after 1970-01-01T00:00:00Z.";

    private static string? OptionalString(JsonElement obj, string name, int maxLength, string field, Action<string, string> error)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error(field, $"'{field}' must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (TextProblem(field, text, maxLength) is { } problem)
        {
            error(field, problem);
            return null;
        }

        return text;
    }
}
