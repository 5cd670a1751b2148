using System.Globalization;
using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Law;

namespace Callscope.Core.Ingest;

/// <summary>
/// What only a source knows about an event and the session law needs, as a bit set (the store keeps it in
/// <c>events.law_flags</c>). A source sets them from its own knowledge, never from an event's <c>data</c>: a caller
/// cannot make a participant passive or an end the API's by writing a member into its data.
/// </summary>
[Flags]
public enum LawFlags
{
    None = 0,

    /// <summary>A participant that is recorded but neither starts a session nor keeps one alive (agents, recorders, ingress).</summary>
    Passive = 1,

    /// <summary>A <c>session_ended</c> the REST API wrote for a team member, as opposed to one a moderator sent.</summary>
    ApiEnd = 2,

    /// <summary>
    /// The participant this event is about was erased (docs/api.md, deleting history): the event keeps only what the law
    /// needs, under a placeholder identity, and belongs to no events log.
    /// </summary>
    Erased = 4,
}

/// <summary>
/// What an event tells the session law beyond its type, time and participant, typed: the source's flags and the
/// vocabulary's law members of <c>data</c> (a join's <c>client</c>, a leave's <c>reason</c> and <c>joined_at</c>, an
/// end's <c>ended_by</c>). Made once, from data already parsed; turning the event into a law event reads nothing more.
/// </summary>
public sealed record LawFacts(LawFlags Flags = LawFlags.None)
{
    /// <summary>The facts of an event the law does not read.</summary>
    public static readonly LawFacts None = new();

    /// <summary>For a join: the client the participant joined with.</summary>
    public ClientInfo? Client { get; init; }

    /// <summary>For a leave: why it happened.</summary>
    public string? Reason { get; init; }

    /// <summary>For a leave: when its connection began, to the millisecond as the store keeps times.</summary>
    public DateTimeOffset? JoinedAt { get; init; }

    /// <summary>For a session end: who ended it.</summary>
    public string? EndedBy { get; init; }

    /// <summary>The facts of an event of <paramref name="type"/> whose data is <paramref name="data"/>, already parsed.</summary>
    public static LawFacts Read(string type, JsonElement? data, LawFlags flags) => type switch
    {
        EventTypes.ParticipantJoined => new(flags) { Client = ClientOf(data) },
        EventTypes.ParticipantLeft => new(flags) { Reason = String(data, "reason"), JoinedAt = Time(data, "joined_at") },
        EventTypes.SessionEnded => new(flags) { EndedBy = String(data, "ended_by") },
        EventTypes.RoomFinished => new(flags),
        _ => None,
    };

    /// <summary>
    /// The same from data held as text (a stored row, or an event made without a source): parsed once, and only for
    /// the types whose data the law reads.
    /// </summary>
    public static LawFacts Parse(string type, string? dataJson, LawFlags flags)
    {
        if (dataJson is null || type is not (EventTypes.ParticipantJoined or EventTypes.ParticipantLeft or EventTypes.SessionEnded))
        {
            return Read(type, null, flags);
        }

        using var data = JsonDocument.Parse(dataJson);
        return Read(type, data.RootElement, flags);
    }

    private static ClientInfo? ClientOf(JsonElement? data)
    {
        if (data is not { ValueKind: JsonValueKind.Object } d || !d.TryGetProperty("client", out var client)
            || client.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new ClientInfo(String(client, "device"), String(client, "os"), String(client, "browser"));
    }

    private static string? String(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static DateTimeOffset? Time(JsonElement? data, string name) =>
        String(data, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? LawMapping.ToMilliseconds(t)
            : null;
}
