using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;

namespace Callscope.Core.Tests;

/// <summary>The step every source's events go through: the clock rule, the event rules and the law's typed facts.</summary>
public sealed class EventIntakeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<double> OffsetsInSeconds() => [-86_400, -1, 0, 4.999, 5, 5.001, 60, 86_400];

    [Theory]
    [MemberData(nameof(OffsetsInSeconds))]
    public void The_shared_step_places_an_event_in_time_by_the_one_clock_rule(double offset)
    {
        var sent = Now.AddSeconds(offset);

        var intake = EventIntake.Accept(Event(EventTypes.ParticipantJoined, sent, null), Now);

        Assert.True(intake.Accepted);
        Assert.Equal(EventRules.Clamp(sent, Now), (intake.Event.Timestamp, intake.Event.Skew));
        Assert.Equal(Now, intake.Event.ReceivedAt);
    }

    [Fact]
    public void A_passive_participant_is_one_the_source_flags_and_never_one_its_data_names()
    {
        using var marked = JsonDocument.Parse("""{"_passive":true}""");

        var flagged = EventIntake.Accept(Event(EventTypes.ParticipantJoined, Now, null) with { Flags = LawFlags.Passive }, Now).Event;
        var named = EventIntake.Accept(Event(EventTypes.ParticipantJoined, Now, marked.RootElement), Now).Event;
        var fromText = new IncomingEvent("e1", EventTypes.ParticipantJoined, Now, Now, null, new RoomRef(null, "standup"),
            new ParticipantRef("ana", "Ana", null, "c1"), """{"_passive":true}""");

        Assert.True(flagged.ToLaw()!.Passive);
        Assert.False(named.ToLaw()!.Passive);
        Assert.False(fromText.ToLaw()!.Passive);
        Assert.Equal(LawFlags.None, named.LawFlags);
    }

    [Fact]
    public void An_end_is_the_API_s_only_when_flagged_so_whatever_its_data_says()
    {
        using var marked = JsonDocument.Parse("""{"_source":"api","ended_by":"ana"}""");

        var named = EventIntake.Accept(Event(EventTypes.SessionEnded, Now, marked.RootElement) with { Participant = null }, Now).Event.ToLaw()!;
        var flagged = EventIntake.Accept(Event(EventTypes.SessionEnded, Now, marked.RootElement) with { Participant = null, Flags = LawFlags.ApiEnd }, Now)
            .Event.ToLaw()!;

        Assert.Equal((EndReasons.Moderator, "ana"), (named.EndReason, named.EndedBy));
        Assert.Equal((EndReasons.Api, "ana"), (flagged.EndReason, flagged.EndedBy));
    }

    [Fact]
    public void A_sourced_event_becomes_a_law_event_without_its_data_being_read_again()
    {
        using var data = JsonDocument.Parse("""{"reason":"network","joined_at":"2026-11-25T09:59:00.1234Z"}""");
        var e = EventIntake.Accept(Event(EventTypes.ParticipantLeft, Now, data.RootElement), Now).Event;

        // Were the text parsed again, this would throw.
        var law = (e with { DataJson = "not JSON" }).ToLaw()!;

        Assert.Equal(LawKind.Leave, law.Kind);
        Assert.Equal("network", law.Reason);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 59, 0, 123, TimeSpan.Zero), law.JoinedAt);
    }

    public static TheoryData<string, string?, LawFlags> LawEvents() => new()
    {
        { EventTypes.ParticipantJoined, """{"client":{"device":"mobile","os":"iOS","browser":"Safari","sdk":"1.0"}}""", LawFlags.None },
        { EventTypes.ParticipantJoined, null, LawFlags.Passive },
        { EventTypes.ParticipantLeft, """{"reason":"kicked","joined_at":"2026-11-25T09:00:00+02:00"}""", LawFlags.Passive },
        { EventTypes.ParticipantLeft, """{"reason":"left"}""", LawFlags.None },
        { EventTypes.SessionEnded, """{"ended_by":"ana"}""", LawFlags.ApiEnd },
        { EventTypes.SessionEnded, null, LawFlags.None },
        { EventTypes.RoomFinished, """{"livekit_event":"room_finished"}""", LawFlags.None },
    };

    [Theory]
    [MemberData(nameof(LawEvents))]
    public void The_facts_typed_at_intake_are_those_the_store_reads_back_from_the_stored_row(string type, string? json, LawFlags flags)
    {
        using var data = json is null ? null : JsonDocument.Parse(json);
        var participant = type is EventTypes.SessionEnded or EventTypes.RoomFinished ? null : new ParticipantRef("ana", "Ana", null, "c1");
        var e = EventIntake.Accept(new SourceEvent("e1", type, Now, new RoomRef(null, "standup"), participant, data?.RootElement) { Flags = flags }, Now);

        var stored = e.Event;
        var readBack = LawMapping.Map(stored.Id, stored.Type, stored.Timestamp, participant?.ExternalId, participant?.ConnectionId, participant?.Name,
            participant?.Role, LawFacts.Parse(stored.Type, stored.DataJson, stored.LawFlags));

        Assert.True(e.Accepted);
        Assert.Equal(readBack, stored.ToLaw());
    }

    [Fact]
    public void An_event_the_law_does_not_read_carries_no_law_facts()
    {
        var e = EventIntake.Accept(Event("audio_enabled", Now, null) with { Flags = LawFlags.Passive }, Now).Event;

        Assert.Null(e.ToLaw());
        Assert.Equal(LawFlags.None, e.LawFlags);
    }

    [Fact]
    public void The_shared_step_keeps_only_the_fact_of_a_chat_message()
    {
        using var data = JsonDocument.Parse("""{"text":"hello"}""");

        var intake = EventIntake.Accept(Event("chat_message", Now, data.RootElement), Now);

        Assert.True(intake.Accepted);
        Assert.Null(intake.Event.DataJson);
    }

    [Fact]
    public void A_problem_the_source_found_in_the_shape_is_listed_once_beside_those_of_the_rules()
    {
        var shape = new List<FieldProblem> { new("participant.name", "'participant.name' must be a string.") };
        var e = Event(EventTypes.ParticipantJoined, Now, null) with { Id = new string('e', 300), Participant = new ParticipantRef("ana", new string('n', 300), null, null) };

        var intake = EventIntake.Accept(e, Now, shape);

        Assert.Equal(["participant.name", "id"], intake.Problems.Select(p => p.Field));
    }

    private static SourceEvent Event(string type, DateTimeOffset at, JsonElement? data) =>
        new("e1", type, at, new RoomRef(null, "standup"), new ParticipantRef("ana", "Ana", null, "c1"), data);
}
