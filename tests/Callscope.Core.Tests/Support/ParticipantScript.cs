using System.Text.Json;
using Callscope.Core.Diagnosis;

namespace Callscope.Core.Tests.Support;

/// <summary>A participant's events written second by second from a start, for the diagnosis tests.</summary>
internal sealed class ParticipantScript
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    private readonly List<DiagnosisEvent> _events = [];

    public IReadOnlyList<DiagnosisEvent> Events => _events;

    public static DateTimeOffset At(double second) => Start.AddSeconds(second);

    public ParticipantScript Event(string type, double second, object? data = null, string? connection = "conn-1")
    {
        var id = $"e{_events.Count + 1:D4}";
        _events.Add(DiagnosisEvent.FromJson(id, type, At(second), connection, data is null ? null : JsonSerializer.Serialize(data)));
        return this;
    }

    public ParticipantScript Sample(double second, object data, string? connection = "conn-1") => Event("quality_sample", second, data, connection);

    /// <summary>One sample every 5 s from <paramref name="from"/>, each carrying <paramref name="field"/> with the next value.</summary>
    public ParticipantScript Samples(double from, string field, params double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Sample(from + (5 * i), new Dictionary<string, double> { [field] = values[i] });
        }

        return this;
    }

    public IReadOnlyList<DiagnosedIssue> Issues(string kind, DiagnosisThresholds? thresholds = null) =>
        ParticipantDiagnosis.Diagnose(_events, thresholds ?? DiagnosisThresholds.Default).Where(i => i.Kind == kind).ToList();

    /// <summary>The id the script gave its <paramref name="n"/>-th event (from 1).</summary>
    public static string Id(int n) => $"e{n:D4}";
}
