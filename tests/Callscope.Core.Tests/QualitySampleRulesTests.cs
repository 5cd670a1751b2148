using System.Globalization;
using Callscope.Core.Ingest;

namespace Callscope.Core.Tests;

/// <summary>The ingest rules of a <c>quality_sample</c>'s data: the members the diagnosis and the chart read.</summary>
public sealed class QualitySampleRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static IEnumerable<NumericField> Numbers => EventRules.NumericFields.Where(f => f.EventType == "quality_sample");

    private static IEnumerable<ChoiceField> Choices => EventRules.ChoiceFields.Where(f => f.EventType == "quality_sample");

    public static TheoryData<string> NumberNames() => [.. Numbers.Select(f => f.Name)];

    public static TheoryData<string> ChoiceNames() => [.. Choices.Select(f => f.Name)];

    [Fact]
    public void Every_member_the_diagnosis_and_the_chart_read_has_a_rule()
    {
        Assert.Equal(
            [
                "audio_bitrate_down_kbps", "audio_bitrate_up_kbps", "bitrate_down_kbps", "bitrate_up_kbps", "candidate_type", "connection_state", "fps",
                "height", "jitter_ms", "mos", "network_type", "packet_loss_pct", "quality_limitation", "rtt_ms", "score", "width",
            ],
            Numbers.Select(f => f.Name).Concat(Choices.Select(f => f.Name)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_choices_are_webrtcs_own_spellings()
    {
        Assert.Equal(
            [
                "quality_limitation: none bandwidth cpu other",
                "candidate_type: host srflx prflx relay",
                "network_type: wifi ethernet cellular vpn bluetooth wimax mixed none other unknown",
                "connection_state: new checking connecting connected completed disconnected failed closed",
            ],
            Choices.Select(f => $"{f.Name}: {string.Join(' ', f.Values)}"));
    }

    [Fact]
    public void A_sample_with_no_data_an_empty_object_or_only_nulls_is_kept()
    {
        var nulls = "{" + string.Join(", ", Numbers.Select(f => f.Name).Concat(Choices.Select(f => f.Name)).Select(n => $"\"{n}\": null")) + "}";

        Assert.Empty(EventRules.Check(Sample(null)));
        Assert.Empty(EventRules.Check(Sample("{}")));
        Assert.Empty(EventRules.Check(Sample(nulls)));
    }

    [Fact]
    public void A_full_sample_with_members_of_its_own_beside_is_kept()
    {
        const string full = """
            {"rtt_ms": 48.5, "jitter_ms": 3.2, "packet_loss_pct": 0.4, "mos": 4.3, "bitrate_up_kbps": 1450, "bitrate_down_kbps": 2100,
             "audio_bitrate_up_kbps": 32, "audio_bitrate_down_kbps": 28.5, "fps": 29.97, "width": 1280, "height": 720.0, "score": 4.5,
             "quality_limitation": "none", "candidate_type": "srflx", "network_type": "wifi", "connection_state": "connected",
             "codec": "VP8", "custom_metric": -7, "nested": {"width": -1}}
            """;

        Assert.Empty(EventRules.Check(Sample(full)));
    }

    [Theory]
    [MemberData(nameof(NumberNames))]
    public void A_number_is_kept_at_both_ends_of_its_range_and_between(string name)
    {
        var field = Number(name);

        foreach (var value in new[] { field.Min, field.Max, Math.Floor((field.Min + field.Max) / 2) })
        {
            Assert.Empty(EventRules.Check(Sample($$"""{"{{name}}": {{Json(value)}}}""")));
        }
    }

    [Theory]
    [MemberData(nameof(NumberNames))]
    public void A_number_just_outside_its_range_is_refused_with_the_field_named(string name)
    {
        var field = Number(name);
        var step = field.Whole ? 1 : 0.001;

        foreach (var value in new[] { field.Min - step, field.Max + step })
        {
            var problem = Assert.Single(EventRules.Check(Sample($$"""{"{{name}}": {{Json(value)}}}""")));

            Assert.Equal("data." + name, problem.Field);
            Assert.Equal(RangeMessage(field), problem.Message);
        }
    }

    [Theory]
    [MemberData(nameof(NumberNames))]
    public void A_number_sent_as_anything_else_is_refused(string name)
    {
        foreach (var value in new[] { "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"3\"", "\"\"", "true", "false", "[]", "[1]", "{}", "1e400", "-1e400" })
        {
            var problem = Assert.Single(EventRules.Check(Sample($$"""{"{{name}}": {{value}}}""")));

            Assert.Equal("data." + name, problem.Field);
            Assert.Equal(RangeMessage(Number(name)), problem.Message);
        }
    }

    [Theory]
    [InlineData("width")]
    [InlineData("height")]
    public void A_resolution_is_a_whole_number_of_pixels(string name)
    {
        Assert.Empty(EventRules.Check(Sample($$"""{"{{name}}": 1080.0}""")));
        Assert.Empty(EventRules.Check(Sample($$"""{"{{name}}": 1.08e3}""")));

        var problem = Assert.Single(EventRules.Check(Sample($$"""{"{{name}}": 1080.5}""")));
        Assert.Equal($"'data.{name}' must be a number from 0 to 16,384, with no fraction.", problem.Message);
    }

    [Theory]
    [MemberData(nameof(ChoiceNames))]
    public void Every_value_of_a_choice_is_kept(string name)
    {
        foreach (var value in Choice(name).Values)
        {
            Assert.Empty(EventRules.Check(Sample($$"""{"{{name}}": "{{value}}"}""")));
        }
    }

    [Theory]
    [MemberData(nameof(ChoiceNames))]
    public void A_choice_outside_its_values_or_of_another_kind_is_refused_with_the_values_listed(string name)
    {
        var field = Choice(name);
        var upper = field.Values[1].ToUpperInvariant();

        foreach (var value in new[] { "\"bogus\"", "\"\"", $"\"{upper}\"", $"\" {field.Values[0]}\"", "1", "0", "true", "[]", $"[\"{field.Values[0]}\"]", "{}" })
        {
            var problem = Assert.Single(EventRules.Check(Sample($$"""{"{{name}}": {{value}}}""")));

            Assert.Equal("data." + name, problem.Field);
            Assert.Equal($"'data.{name}' must be one of: {string.Join(", ", field.Values)}.", problem.Message);
        }
    }

    [Fact]
    public void A_choice_holding_half_of_a_surrogate_pair_is_refused_not_thrown_on()
    {
        var problem = Assert.Single(EventRules.Check(Sample("""{"candidate_type": "relay\ud800"}""")));

        Assert.Equal("data.candidate_type", problem.Field);
    }

    [Fact]
    public void Every_bad_member_of_one_sample_is_listed_in_the_rules_order()
    {
        const string bad = """
            {"connection_state": "broken", "mos": 0, "width": -1, "candidate_type": "turn", "rtt_ms": "slow", "quality_limitation": "network", "network_type": 4, "fps": 30}
            """;

        var problems = EventRules.Check(Sample(bad));

        Assert.Equal(
            ["data.rtt_ms", "data.mos", "data.width", "data.quality_limitation", "data.candidate_type", "data.network_type", "data.connection_state"],
            problems.Select(p => p.Field));
    }

    [Fact]
    public void The_sample_members_are_checked_on_quality_samples_only()
    {
        const string other = """{"candidate_type": "turn", "connection_state": 3, "mos": 9, "width": -1}""";

        Assert.Empty(EventRules.Check(Sample(other) with { Type = "app_error" }));
        Assert.Empty(EventRules.Check(Sample(other) with { Type = "media_connection_failed" }));
    }

    private static NumericField Number(string name) => Numbers.Single(f => f.Name == name);

    private static ChoiceField Choice(string name) => Choices.Single(f => f.Name == name);

    private static string RangeMessage(NumericField field) =>
        $"'data.{field.Name}' must be a number from {field.Min.ToString("#,0.##", CultureInfo.InvariantCulture)} to "
        + $"{field.Max.ToString("#,0.##", CultureInfo.InvariantCulture)}{(field.Whole ? ", with no fraction." : ".")}";

    private static string Json(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static IncomingEvent Sample(string? data) =>
        new("evt-1", "quality_sample", Now, Now, null, new RoomRef(null, "standup"), new ParticipantRef("ana", "Ana", null, "c1"), data);
}
