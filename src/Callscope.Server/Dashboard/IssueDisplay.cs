using Callscope.Core.Diagnosis;
using Callscope.Data.Diagnosis;

namespace Callscope.Server.Dashboard;

/// <summary>How the dashboard writes the problems the diagnosis keeps: kinds in plain words, severities, ranges and evidence numbers.</summary>
public static class IssueDisplay
{
    /// <summary>The kind as a reader says it; an unknown kind in words.</summary>
    public static string Kind(string kind) => kind switch
    {
        IssueKinds.HighRtt => "High round-trip time",
        IssueKinds.HighJitter => "High jitter",
        IssueKinds.HighPacketLoss => "High packet loss",
        IssueKinds.LowMos => "Low call quality (MOS)",
        IssueKinds.ReconnectStorm => "Repeated reconnects",
        IssueKinds.LongReconnect => "Long reconnect",
        IssueKinds.MediaFailed => "Media connection failed",
        IssueKinds.DeviceProblem => "Camera or microphone problem",
        IssueKinds.LimitedQuality => "Video limited by bandwidth or CPU",
        IssueKinds.Relayed => "Media relayed through TURN",
        IssueKinds.SilentMedia => "Silent audio",
        _ => Capitalised(Display.Words(kind)),
    };

    /// <summary>"warning" or "error", which is also the class name of its colour.</summary>
    public static string Severity(IssueSeverity severity) => IssueKinds.Name(severity);

    /// <summary>Errors first, then warnings, each in the order they started.</summary>
    public static IReadOnlyList<IssueView> WorstFirst(IEnumerable<IssueView> issues) =>
        [.. issues.OrderByDescending(i => i.Severity).ThenBy(i => i.StartedAt).ThenBy(i => i.Kind, StringComparer.Ordinal)];

    /// <summary>"2 problems, worst: error" — the badge's accessible text.</summary>
    public static string Count(IssueCounts counts) =>
        $"{Problems(counts.Total)}, worst: {(counts.Worst is { } worst ? Severity(worst) : "none")}";

    public static string Problems(int count) => count == 1 ? "1 problem" : $"{count} problems";

    /// <summary>"10:02:05 – 10:03:40 (1 min 35 s)", or "10:02:05 – ongoing".</summary>
    public static string Range(IssueView issue) => issue.EndedAt is { } end
        ? $"{Display.Clock(issue.StartedAt)} – {Display.Clock(end)} ({Display.Duration(end - issue.StartedAt)})"
        : $"{Display.Clock(issue.StartedAt)} – ongoing";

    /// <summary>A tooltip for the issue's range on a picture.</summary>
    public static string Title(IssueView issue) => $"{Kind(issue.Kind)} ({Severity(issue.Severity)}), {Range(issue)}: {issue.Summary}";

    /// <summary>The evidence's metric as a reader says it.</summary>
    public static string Metric(string metric) => metric switch
    {
        "rtt_ms" => "round-trip time",
        "jitter_ms" => "jitter",
        "packet_loss_pct" => "packet loss",
        "mos" => "MOS",
        "reconnects" => "reconnects in the window",
        "reconnect_seconds" => "time away",
        "limited_seconds" => "time limited",
        "silent_seconds" => "time silent",
        _ => Display.Words(metric),
    };

    /// <summary>A value of the metric with its unit: "8 %", "420 ms", "45 s"; "—" for none.</summary>
    public static string Value(string metric, double? value)
    {
        if (value is not { } v)
        {
            return "—";
        }

        var number = Display.Number(Math.Round(v, 2));
        return metric switch
        {
            _ when metric.EndsWith("_pct", StringComparison.Ordinal) => $"{number} %",
            _ when metric.EndsWith("_ms", StringComparison.Ordinal) => $"{number} ms",
            _ when metric.EndsWith("_seconds", StringComparison.Ordinal) => $"{number} s",
            _ => number,
        };
    }

    private static string Capitalised(string words) => words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
}
