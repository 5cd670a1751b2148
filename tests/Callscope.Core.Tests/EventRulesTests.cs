using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Ingest;

namespace Callscope.Core.Tests;

/// <summary>The ingest rules every source's events go through (native JSON and LiveKit webhooks alike).</summary>
public sealed class EventRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Values no known numeric field may take, as they appear in JSON.</summary>
    public static readonly string[] NonNumbers = ["1e400", "-1e400", "1e309", "\"12\"", "\"NaN\"", "\"Infinity\"", "true", "[]", "{}", "-0.0001", "-1"];

    public static TheoryData<string, string> EveryKnownNumericFieldTimesEveryBadValue()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in EventRules.NumericFields)
        {
            foreach (var value in NonNumbers.Append(Over(field)))
            {
                data.Add(field.Name, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryKnownNumericFieldTimesEveryBadValue))]
    public void A_known_numeric_field_that_is_not_a_finite_number_in_its_range_is_refused(string field, string json)
    {
        var problems = EventRules.Check(Sample("quality_sample", $$"""{"{{field}}": {{json}}}"""));

        var problem = Assert.Single(problems);
        Assert.Equal("data." + field, problem.Field);
        Assert.StartsWith($"'data.{field}' must be a number from ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_known_numeric_field_takes_both_ends_of_its_range_and_null()
    {
        foreach (var field in EventRules.NumericFields)
        {
            foreach (var value in new[] { Show(field.Min), Show(field.Max), "null", Show(Third(field)) })
            {
                Assert.Empty(EventRules.Check(Sample(field.EventType, $$"""{"{{field.Name}}": {{value}}}""")));
            }
        }
    }

    [Fact]
    public void The_ranges_are_those_the_documentation_gives()
    {
        Assert.Equal(
            [
                "rtt_ms 0..60000", "jitter_ms 0..60000", "packet_loss_pct 0..100", "mos 1..5", "bitrate_up_kbps 0..10000000", "bitrate_down_kbps 0..10000000",
                "audio_bitrate_up_kbps 0..10000000", "audio_bitrate_down_kbps 0..10000000", "fps 0..1000", "width 0..16384 whole", "height 0..16384 whole", "score 0..5",
            ],
            EventRules.NumericFields.Select(f => $"{f.Name} {Show(f.Min)}..{Show(f.Max)}{(f.Whole ? " whole" : "")}"));
    }

    [Fact]
    public void A_number_with_more_digits_than_a_double_holds_is_read_by_its_value()
    {
        // 0.444… with 1,000 digits, 1 followed by 800 zeros, and -0.111… with 1,000 digits: the first in range, the
        // others not.
        var half = "0." + new string('4', 1_000);
        Assert.Empty(EventRules.Check(Sample("quality_sample", $$"""{"packet_loss_pct": {{half}}}""")));
        Assert.Equal("data.rtt_ms", Assert.Single(EventRules.Check(Sample("quality_sample", $$"""{"rtt_ms": 1{{new string('0', 800)}}}"""))).Field);
        Assert.Equal("data.jitter_ms", Assert.Single(EventRules.Check(Sample("quality_sample", $$"""{"jitter_ms": -0.{{new string('1', 1_000)}}}"""))).Field);
    }

    [Fact]
    public void The_control_characters_refused_are_exactly_those_char_IsControl_names()
    {
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            var text = "a" + c + "b";
            Assert.Equal(char.IsControl(c), EventRules.HasControl(text));
            if (!char.IsSurrogate(c))
            {
                Assert.Equal(char.IsControl(c), EventRules.TextProblem("participant.name", text, 200) is not null);
            }
        }
    }

    [Fact]
    public void Numbers_outside_the_vocabulary_are_kept_as_they_are()
    {
        Assert.Empty(EventRules.Check(Sample("quality_sample", """{"custom_metric": 1e400, "volume_db": -5}""")));
        Assert.Empty(EventRules.Check(Sample("video_enabled", """{"rtt_ms": "not checked for this type"}""")));
    }

    [Theory]
    [InlineData("live")]
    [InlineData("LIVE")]
    [InlineData("team/room")]
    [InlineData("back\\slash")]
    [InlineData("..")]
    [InlineData("0b9d3c52-8f0e-4c59-a2c6-1f1e7d2f0a11")]
    [InlineData("nul\0inside")]
    [InlineData("bell\u0007inside")]
    [InlineData(" padded")]
    public void A_room_name_the_room_rules_refuse_is_refused_at_ingest(string name)
    {
        var problems = EventRules.Check(Sample("participant_joined", null) with { Room = new RoomRef(null, name) });

        Assert.Equal("room.friendly_url", Assert.Single(problems).Field);
    }

    [Fact]
    public void A_room_name_of_10000_characters_is_refused()
    {
        var problems = EventRules.Check(Sample("participant_joined", null) with { Room = new RoomRef(null, new string('r', 10_000)) });

        Assert.Equal("room.friendly_url", Assert.Single(problems).Field);
    }

    [Theory]
    [InlineData("external_id")]
    [InlineData("name")]
    [InlineData("role")]
    [InlineData("connection_id")]
    public void Participant_texts_over_their_limit_or_with_control_characters_are_refused(string field)
    {
        foreach (var bad in new[] { new string('i', 10_000), "a\0b", "a\u001b[31mb", "line\nbreak", "del\u007f", "half\ud800", "\udc00half", "\ud83d" })
        {
            var p = new ParticipantRef("ana", "Ana", "host", "conn-1");
            p = field switch
            {
                "external_id" => p with { ExternalId = bad },
                "name" => p with { Name = bad },
                "role" => p with { Role = bad },
                _ => p with { ConnectionId = bad },
            };

            var problems = EventRules.Check(Sample("participant_joined", null) with { Participant = p });

            Assert.Equal("participant." + field, Assert.Single(problems).Field);
        }
    }

    [Fact]
    public void Whole_surrogate_pairs_are_text_and_are_kept()
    {
        var p = new ParticipantRef("\ud83d\ude00 ana", "Ana \ud83d\ude00", null, null);

        Assert.Empty(EventRules.Check(Sample("participant_joined", null) with { Participant = p, Room = new RoomRef(null, "\ud83d\ude00-room") }));
    }

    [Theory]
    [InlineData("Weird Type!<x>")]
    [InlineData("Participant_Joined")]
    [InlineData("with space")]
    [InlineData("tab\there")]
    [InlineData("")]
    public void An_event_type_that_is_not_lower_case_letters_digits_and_underscores_is_refused(string type)
    {
        var problems = EventRules.Check(Sample("x", null) with { Type = type });

        Assert.Equal("type", Assert.Single(problems).Field);
    }

    [Fact]
    public void An_event_id_over_200_characters_or_with_control_characters_is_refused()
    {
        Assert.Equal("id", Assert.Single(EventRules.Check(Sample("x", null) with { Id = new string('e', 201) })).Field);
        Assert.Equal("id", Assert.Single(EventRules.Check(Sample("x", null) with { Id = "EV_\0" })).Field);
        Assert.Empty(EventRules.Check(Sample("x", null) with { Id = new string('e', 200) }));
    }

    [Fact]
    public void A_time_more_than_five_seconds_ahead_is_clamped_to_the_receive_time_with_its_skew_kept()
    {
        Assert.Equal((Now.AddSeconds(5), (TimeSpan?)null), EventRules.Clamp(Now.AddSeconds(5), Now));
        Assert.Equal((Now, (TimeSpan?)TimeSpan.FromSeconds(5.001)), EventRules.Clamp(Now.AddSeconds(5.001), Now));
        Assert.Equal((Now.AddDays(-1), (TimeSpan?)null), EventRules.Clamp(Now.AddDays(-1), Now));
    }

    private static IncomingEvent Sample(string type, string? data) =>
        new("evt-1", type, Now, Now, null, new RoomRef(null, "standup"), new ParticipantRef("ana", "Ana", null, "c1"), data);

    private static string Over(NumericField field) => Show(field.Max + Math.Max(1, field.Max / 1000));

    private static string Show(double value) => JsonSerializer.Serialize(value);

    /// <summary>A value inside the field's range, a third of the way up (a whole one for a whole field).</summary>
    private static double Third(NumericField field) =>
        field.Whole ? Math.Floor((field.Min + field.Max) / 3) : (field.Min + field.Max) / 3;
}
