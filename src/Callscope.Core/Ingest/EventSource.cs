using System.Text.Json;

namespace Callscope.Core.Ingest;

/// <summary>
/// A media server's way in. A source reads its own input (a native batch, a LiveKit webhook) into
/// <see cref="SourceEvent"/>s in Callscope's vocabulary and hands each one to <see cref="EventIntake.Accept"/>: the
/// step every source shares, which clamps the time, checks <see cref="EventRules"/> and makes the
/// <see cref="IncomingEvent"/> with its law facts typed. A source never clamps, validates or reads law facts itself.
/// </summary>
/// <typeparam name="TInput">What the source receives: a request body, a decoded webhook.</typeparam>
public interface IEventSource<TInput>
{
    /// <summary>The events of one input, or every problem that keeps the input out (then nothing of it is stored).</summary>
    static abstract SourceBatch Read(TInput input, DateTimeOffset receivedAt);
}

/// <summary>
/// One event as a source read it, before the shared step: its time as the source tells it (not yet clamped), its
/// <c>data</c> already parsed (the shared step reads the law's members from it and checks it, without parsing again).
/// </summary>
public sealed record SourceEvent(string Id, string Type, DateTimeOffset Timestamp, RoomRef Room, ParticipantRef? Participant, JsonElement? Data)
{
    /// <summary>What only the source knows: a passive participant, an end written by the API. Never read from data.</summary>
    public LawFlags Flags { get; init; }
}

/// <summary>What a source made of one input: the events to store, or the problems that refuse it whole.</summary>
public sealed record SourceBatch(IReadOnlyList<IncomingEvent> Events, IReadOnlyList<SourceProblem> Problems)
{
    /// <summary>An input with nothing to store and nothing wrong (a LiveKit webhook that names no room).</summary>
    public static readonly SourceBatch Empty = new([], []);

    public bool Refused => Problems.Count > 0;
}

/// <summary>One problem of an input; <paramref name="Index"/> is the event's place when the input holds several.</summary>
public sealed record SourceProblem(int? Index, string Field, string Message);

/// <summary>One event after the shared step: the event to store, or why it may not be stored.</summary>
public sealed record Intake(IncomingEvent Event, IReadOnlyList<FieldProblem> Problems)
{
    public bool Accepted => Problems.Count == 0;
}

/// <summary>The step every source's events go through, so that no source can store what another refuses.</summary>
public static class EventIntake
{
    /// <summary>
    /// Clamps the event's time (SPEC 2 rule 8, <see cref="EventRules.Clamp"/>), checks it against
    /// <see cref="EventRules"/> and types its law facts from the data the source parsed. <paramref name="shape"/> lists
    /// what the source already found wrong with its input's shape: the rules still run, so that one answer lists every
    /// problem, but a field the source has reported is reported once.
    /// </summary>
    public static Intake Accept(SourceEvent e, DateTimeOffset receivedAt, IReadOnlyList<FieldProblem>? shape = null)
    {
        var (timestamp, skew) = EventRules.Clamp(e.Timestamp, receivedAt);
        var incoming = new IncomingEvent(e.Id, e.Type, timestamp, receivedAt, skew, e.Room, e.Participant, e.Data?.GetRawText())
        {
            Facts = LawFacts.Read(e.Type, e.Data, e.Flags),
        };
        var rules = EventRules.Check(incoming, e.Data);
        var problems = shape is null or { Count: 0 }
            ? rules
            : [.. shape, .. rules.Where(r => !shape.Any(s => s.Field == r.Field))];
        if (problems.Count > 0)
        {
            return new Intake(incoming, problems);
        }

        // Only the fact of a chat message is kept, never what it said.
        return new Intake(e.Type == "chat_message" ? incoming with { DataJson = null } : incoming, []);
    }
}
