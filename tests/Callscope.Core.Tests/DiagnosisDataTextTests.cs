using System.Globalization;
using System.Text.Json;
using Callscope.Core.Diagnosis;
using Callscope.Core.Tests.Support;
using CsCheck;

namespace Callscope.Core.Tests;

/// <summary>
/// An event made from its stored text reads the members the detectors use in one pass of the text; an event made from a
/// parsed element reads them from the element. Both must give the same issues, whatever the text holds: members given
/// twice, escaped names, nested objects, numbers written in any form or out of range, strings where numbers belong.
/// Events read from the store come in order and are not sorted again: they too must give the issues of the event set.
/// </summary>
public sealed class DiagnosisDataTextTests
{
    private static readonly string[] Types = ["quality_sample", "quality_sample", "quality_sample", "participant_joined", "participant_left",
        "participant_reconnecting", "participant_reconnected", "media_connection_failed", "media_permissions_failed", "app_error", "audio_enabled"];

    private static readonly string[] Names = ["rtt_ms", "jitter_ms", "packet_loss_pct", "mos", "bitrate_up_kbps", "bitrate_down_kbps",
        "audio_bitrate_up_kbps", "audio_bitrate_down_kbps", "quality_limitation", "candidate_type", "connection_state", "reason", "code",
        "message", "device", "fps", "rtt\\u005fms", "candidate\\u005Ftype", "RTT_MS"];

    private static readonly string[] Values = ["0", "7", "35", "450", "900", "3.5", "2.99", "-0", "1e400", "-1e400", "4.2E1", "0.0000001",
        "123456789012345", "1234567890123456789", "null", "true", "\"relay\"", "\"re\\u006cay\"", "\"bandwidth\"", "\"cpu\"", "\"failed\"",
        "\"connected\"", "\"network\"", "\"NotAllowedError\"", "\"450\"", "{\"rtt_ms\":900}", "[900,{\"mos\":1}]"];

    private static readonly string[] NotObjects = ["[1,2]", "42", "\"text\"", "null", " { } "];

    private static readonly Gen<string> Data =
        Gen.Frequency(
            (20, Gen.Select(Gen.Int[0, Names.Length - 1], Gen.Int[0, Values.Length - 1]).Array[0, 9]
                .Select(members => "{" + string.Join(",", members.Select(m => $"\"{Names[m.Item1]}\":{Values[m.Item2]}")) + "}")),
            (1, Gen.Int[0, NotObjects.Length - 1].Select(i => NotObjects[i])));

    private static readonly Gen<(int Type, int Tick, int Connection, string? Data)[]> Histories =
        Gen.Select(Gen.Int[0, Types.Length - 1], Gen.Int[0, 60], Gen.Int[0, 2], Gen.Frequency((6, Data.Select(d => (string?)d)), (1, Gen.Const((string?)null))))
            .Array[1, 80];

    [Fact]
    public void Events_made_from_stored_text_give_the_issues_of_events_made_from_the_parsed_data()
    {
        Histories.Sample(history =>
        {
            var fromText = new List<DiagnosisEvent>();
            var fromElements = new List<DiagnosisEvent>();
            for (var i = 0; i < history.Length; i++)
            {
                var (type, tick, connection, data) = history[i];
                var (id, at, on) = ("e" + i.ToString(CultureInfo.InvariantCulture), ParticipantScript.At(tick * 5), connection == 2 ? null : "c" + connection);
                fromText.Add(DiagnosisEvent.FromJson(id, Types[type], at, on, data));
                fromElements.Add(new DiagnosisEvent(id, Types[type], at, on, data is null ? default : JsonDocument.Parse(data).RootElement.Clone()));
            }

            foreach (var thresholds in new[] { DiagnosisThresholds.Default, DiagnosisThresholds.Default with { CrossingsNeeded = 1, LossWindow = 2 } })
            {
                PropertyRuns.SameSessions("issues",
                    ParticipantHistories.Describe(ParticipantDiagnosis.Diagnose(fromElements, thresholds)),
                    ParticipantHistories.Describe(ParticipantDiagnosis.Diagnose(fromText, thresholds)));
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations);
    }

    [Fact]
    public void Events_given_already_in_order_with_repeats_give_the_issues_of_the_event_set()
    {
        ParticipantHistories.Histories.Sample(history =>
        {
            // As the store reads them: in (timestamp, id) order, here with each repeat next to its first delivery.
            var inOrder = history.Arrivals.OrderBy(e => e.Timestamp).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();

            PropertyRuns.SameSessions("issues",
                ParticipantHistories.Describe(ParticipantDiagnosis.Diagnose(history.Events)),
                ParticipantHistories.Describe(ParticipantDiagnosis.Diagnose(inOrder)));
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    [Fact]
    public void The_last_of_two_members_of_one_name_is_the_one_read_and_nested_members_are_not()
    {
        var events = Enumerable.Range(0, 5).SelectMany(i => new[]
        {
            DiagnosisEvent.FromJson($"r{i}", "quality_sample", ParticipantScript.At(10 * i), "c", """{"rtt_ms":900,"rtt\u005fms":20}"""),
            DiagnosisEvent.FromJson($"j{i}", "quality_sample", ParticipantScript.At((10 * i) + 5), "c", """{"jitter_ms":5,"jitter_ms":80,"mos":{"mos":1}}"""),
        });

        var issues = ParticipantDiagnosis.Diagnose(events);

        Assert.DoesNotContain(issues, i => i.Kind is IssueKinds.HighRtt or IssueKinds.LowMos);
        Assert.Equal(5, Assert.Single(issues, i => i.Kind == IssueKinds.HighJitter).Evidence.Count);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"rtt_ms\":1,}")]
    [InlineData("{} {}")]
    [InlineData("{\"rtt_ms\":1} x")]
    [InlineData("   ")]
    [InlineData("{'rtt_ms':1}")]
    public void Stored_text_that_is_not_json_is_refused_as_parsing_it_would_be(string text)
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        Assert.ThrowsAny<JsonException>(() => DiagnosisEvent.FromJson("e1", "quality_sample", ParticipantScript.Start, "c", text));
    }

    [Fact]
    public void An_event_made_from_stored_text_still_shows_its_data()
    {
        var e = DiagnosisEvent.FromJson("e1", "quality_sample", ParticipantScript.Start, "c", """{"rtt_ms":450.5,"candidate_type":"relay","fps":30}""");

        Assert.Equal(JsonValueKind.Object, e.Data.ValueKind);
        Assert.Equal("""{"rtt_ms":450.5,"candidate_type":"relay","fps":30}""", e.Data.GetRawText());
        Assert.Equal(450.5, e.Number("rtt_ms"));
        Assert.Equal(30, e.Number("fps"));
        Assert.Equal("relay", e.Text("candidate_type"));
        Assert.Equal(e, e with { });
        Assert.NotEqual(e, DiagnosisEvent.FromJson("e1", "quality_sample", ParticipantScript.Start, "c", """{"rtt_ms":450.5}"""));
    }
}
