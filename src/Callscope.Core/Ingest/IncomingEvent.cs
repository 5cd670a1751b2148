using Callscope.Core.Events;
using Callscope.Core.Law;

namespace Callscope.Core.Ingest;

/// <summary>How an event names its room: by id, or by name (created on first use).</summary>
public sealed record RoomRef(RoomId? Id, string? FriendlyUrl, string? ExternalId = null, string? Description = null);

public sealed record ParticipantRef(string? ExternalId, string? Name, string? Role, string? ConnectionId);

/// <summary>A validated event, ready to be stored.</summary>
public sealed record IncomingEvent(
    string Id,
    string Type,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt,
    TimeSpan? Skew,
    RoomRef Room,
    ParticipantRef? Participant,
    string? DataJson)
{
    /// <summary>
    /// What the event tells the session law, made once by the source that read it (see <see cref="EventIntake"/>).
    /// An event made without a source (demo data, a test) has none: its facts are read from <see cref="DataJson"/>
    /// when asked, with no flags.
    /// </summary>
    public LawFacts? Facts { get; init; }

    /// <summary>The flags the store keeps with the event.</summary>
    public LawFlags LawFlags => Facts?.Flags ?? LawFlags.None;

    /// <summary>The facts its source read, or else those read from <see cref="DataJson"/> now.</summary>
    public LawFacts ReadFacts() => Facts ?? LawFacts.Parse(Type, DataJson, LawFlags.None);

    /// <summary>What the event means to the session law, or null when it only goes to the log.</summary>
    public LawEvent? ToLaw() => LawMapping.IsLawType(Type)
        ? LawMapping.Map(Id, Type, Timestamp, Participant?.ExternalId, Participant?.ConnectionId, Participant?.Name, Participant?.Role, ReadFacts())
        : null;
}

/// <summary>Turns a stored or incoming event into a law event; the same function for both so they cannot drift.</summary>
public static class LawMapping
{
    public static bool IsLawType(string type) => type is EventTypes.ParticipantJoined or EventTypes.ParticipantLeft
        or EventTypes.SessionEnded or EventTypes.RoomFinished;

    public static LawEvent? Map(string id, string type, DateTimeOffset timestamp, string? externalId, string? connectionId,
        string? name, string? role, LawFacts facts)
    {
        if (!IsLawType(type))
        {
            return null;
        }

        var e = new LawEvent(id, type switch
        {
            EventTypes.ParticipantJoined => LawKind.Join,
            EventTypes.ParticipantLeft => LawKind.Leave,
            EventTypes.RoomFinished => LawKind.RoomClosed,
            _ => LawKind.SessionEnd,
        }, ToMilliseconds(timestamp))
        {
            ExternalId = externalId,
            ConnectionId = connectionId,
            Name = name,
            Role = role,
            Passive = facts.Flags.HasFlag(LawFlags.Passive),
            Erased = facts.Flags.HasFlag(LawFlags.Erased),
        };

        return type switch
        {
            EventTypes.ParticipantJoined => e with { Client = facts.Client },
            EventTypes.ParticipantLeft => e with { Reason = facts.Reason, JoinedAt = facts.JoinedAt },
            EventTypes.SessionEnded => e with
            {
                EndReason = facts.Flags.HasFlag(LawFlags.ApiEnd) ? EndReasons.Api : EndReasons.Moderator,
                EndedBy = facts.EndedBy,
            },
            _ => e,
        };
    }

    /// <summary>The store keeps times to the millisecond; the law sees them exactly as stored.</summary>
    public static DateTimeOffset ToMilliseconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
