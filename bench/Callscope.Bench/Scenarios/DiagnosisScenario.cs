using System.Diagnostics;
using System.Text.Json;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;
using Callscope.Core.Diagnosis;

namespace Callscope.Bench.Scenarios;

public sealed record DiagnosisOptions(int Samples, int Iterations, int Warmup);

/// <summary>
/// The diagnosis of one participant with a long call, in process: from the stored rows (data still JSON text, as the
/// store reads them) to the issues, that is <see cref="DiagnosisEvent.FromJson"/> for every row and then
/// <see cref="ParticipantDiagnosis.Diagnose(IEnumerable{DiagnosisEvent}, DiagnosisThresholds)"/>. The baseline, timed
/// in the same run and in turn with it: parsing every row's data text with <see cref="JsonDocument"/> and reading one
/// number from it, the least any diagnosis of the stored text has to do.
/// </summary>
public static class DiagnosisScenario
{
    /// <summary>The participant the target (issue 13) speaks of: 10,000 samples diagnosed in under 20 ms.</summary>
    public const int TargetSamples = 10_000;

    public static int Run(TextWriter output, DiagnosisOptions o)
    {
        Machine.PrintInProcess(output);
        var rows = DiagnosisRows.Call(o.Samples, seed: 13);
        output.WriteLine($"Workload: one participant, {rows.Count:N0} stored rows ({o.Samples:N0} quality samples 5 s apart, a join, audio and video on, a leave); " +
            $"{o.Warmup} warm-up and {o.Iterations} timed rounds, each timing the four in turn.");

        var parsed = Parse(rows);
        var issues = ParticipantDiagnosis.Diagnose(parsed, DiagnosisThresholds.Default);
        var fromRows = new List<double>(o.Iterations);
        var readOnly = new List<double>(o.Iterations);
        var parsedOnly = new List<double>(o.Iterations);
        var baseline = new List<double>(o.Iterations);
        var sink = 0.0;
        for (var round = 0; round < o.Warmup + o.Iterations; round++)
        {
            var timed = round >= o.Warmup;
            var clock = Stopwatch.StartNew();
            sink += ParticipantDiagnosis.Diagnose(Parse(rows), DiagnosisThresholds.Default).Count;
            Add(fromRows, clock, timed);

            clock.Restart();
            sink += Parse(rows).Count;
            Add(readOnly, clock, timed);

            clock.Restart();
            sink += ParticipantDiagnosis.Diagnose(parsed, DiagnosisThresholds.Default).Count;
            Add(parsedOnly, clock, timed);

            clock.Restart();
            sink += ReadOneNumberEach(rows);
            Add(baseline, clock, timed);
        }

        var (full, read, diagnoseOnly, raw) = (Percentiles.Of(fromRows), Percentiles.Of(readOnly), Percentiles.Of(parsedOnly), Percentiles.Of(baseline));
        var table = new Table($"Diagnosis — one participant, {o.Samples:N0} quality samples, {o.Iterations} timed rounds",
            "what", "p50", "p95", "max", "÷ baseline p50");
        table.Add("diagnosis from the stored rows: `DiagnosisEvent.FromJson` each row, then `Diagnose`", Table.Ms(full.P50), Table.Ms(full.P95),
            Table.Ms(full.Max), Table.Ratio(full.P50 / raw.P50));
        table.Add("of which reading the rows: `DiagnosisEvent.FromJson` each row", Table.Ms(read.P50), Table.Ms(read.P95), Table.Ms(read.Max),
            Table.Ratio(read.P50 / raw.P50));
        table.Add("`Diagnose` alone, over events already made", Table.Ms(diagnoseOnly.P50), Table.Ms(diagnoseOnly.P95), Table.Ms(diagnoseOnly.Max),
            Table.Ratio(diagnoseOnly.P50 / raw.P50));
        table.Add("baseline: `JsonDocument.Parse` each row's data, read `rtt_ms`", Table.Ms(raw.P50), Table.Ms(raw.P95), Table.Ms(raw.Max), "1×");
        table.Print(output);

        var kinds = issues.GroupBy(i => i.Kind).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"Issues found: {issues.Count} ({string.Join(", ", kinds)}).");
        GC.KeepAlive(sink);
        if (o.Samples == TargetSamples)
        {
            output.WriteLine($"Target: under 20 ms for the diagnosis from the stored rows: {(full.P95 < 20 ? "met at p95" : full.P50 < 20 ? "met at p50, not at p95" : "missed")} " +
                $"(p50 {Table.Ms(full.P50)}, p95 {Table.Ms(full.P95)}).");
        }

        // Every detector reads the samples; a workload that raises nothing of a kind would time a detector that never raises.
        var quiet = IssueKinds.All.Except([IssueKinds.ReconnectStorm, IssueKinds.LongReconnect, IssueKinds.MediaFailed, IssueKinds.DeviceProblem])
            .Except(issues.Select(i => i.Kind)).ToList();
        output.WriteLine(quiet.Count == 0 ? "Check: every quality kind was raised." : $"Check: FAILED, not raised: {string.Join(", ", quiet)}.");
        return quiet.Count == 0 ? 0 : 1;
    }

    private static List<DiagnosisEvent> Parse(IReadOnlyList<DiagnosisRow> rows)
    {
        var events = new List<DiagnosisEvent>(rows.Count);
        foreach (var row in rows)
        {
            events.Add(DiagnosisEvent.FromJson(row.Id, row.Type, row.Timestamp, row.ConnectionId, row.DataJson));
        }

        return events;
    }

    private static double ReadOneNumberEach(IReadOnlyList<DiagnosisRow> rows)
    {
        var sum = 0.0;
        foreach (var row in rows)
        {
            if (row.DataJson is null)
            {
                continue;
            }

            using var document = JsonDocument.Parse(row.DataJson);
            if (document.RootElement.TryGetProperty("rtt_ms", out var rtt) && rtt.TryGetDouble(out var value))
            {
                sum += value;
            }
        }

        return sum;
    }

    private static void Add(List<double> into, Stopwatch clock, bool timed)
    {
        if (timed)
        {
            into.Add(clock.Elapsed.TotalMilliseconds);
        }
    }
}
