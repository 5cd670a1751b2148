namespace Callscope.Core.Diagnosis;

/// <summary>How bad an issue is. Information a reader should know (a relayed connection) is a warning.</summary>
public enum IssueSeverity
{
    Warning = 0,
    Error = 1,
}

/// <summary>One event that shows the problem: its id and time, the value it carried and, for events without a number, what it said.</summary>
public sealed record EvidenceSample(string EventId, DateTimeOffset At, double? Value, string? Detail = null);

/// <summary>
/// Why the issue was raised: the metric, the threshold it crossed (null for kinds raised by an event, not a number),
/// the worst value seen while it held, how many samples crossed and the first of them (at most
/// <see cref="ParticipantDiagnosis.MaxEvidenceSamples"/>).
/// </summary>
public sealed record IssueEvidence(string Metric, double? Threshold, double? Worst, int Count, IReadOnlyList<EvidenceSample> Samples);

/// <summary>
/// A problem found in a participant's events. A sustained problem is one issue with a time range; <see cref="EndedAt"/>
/// is null while it still holds at the participant's last event.
/// </summary>
public sealed record DiagnosedIssue(
    string Kind,
    IssueSeverity Severity,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? ConnectionId,
    IssueEvidence Evidence,
    string Summary);

/// <summary>The kinds of issue the diagnosis raises.</summary>
public static class IssueKinds
{
    public const string HighRtt = "high_rtt";
    public const string HighJitter = "high_jitter";
    public const string HighPacketLoss = "high_packet_loss";
    public const string LowMos = "low_mos";
    public const string ReconnectStorm = "reconnect_storm";
    public const string LongReconnect = "long_reconnect";
    public const string MediaFailed = "media_failed";
    public const string DeviceProblem = "device_problem";
    public const string LimitedQuality = "limited_quality";
    public const string Relayed = "relayed";
    public const string SilentMedia = "silent_media";

    public static readonly IReadOnlyList<string> All =
    [
        HighRtt, HighJitter, HighPacketLoss, LowMos, ReconnectStorm, LongReconnect, MediaFailed, DeviceProblem,
        LimitedQuality, Relayed, SilentMedia,
    ];

    /// <summary>The severity as the API writes it.</summary>
    public static string Name(IssueSeverity severity) => severity switch
    {
        IssueSeverity.Warning => "warning",
        IssueSeverity.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };
}
