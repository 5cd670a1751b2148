namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// <c>device_problem</c>: a <c>media_permissions_failed</c> event, or a <c>media_device_failed</c>, <c>media_device_changed</c> or
/// <c>app_error</c> whose <c>code</c> says permission denied, no device, device in use or device lost (the names
/// browsers give these in getUserMedia errors are read too). Cleared when the connection's audio, video or screen
/// share starts.
/// </summary>
internal sealed class DeviceProblemDetector : EventDetector
{
    /// <summary>Problem codes, lower case without separators, and what each means.</summary>
    private static readonly Dictionary<string, string> Codes = new(StringComparer.Ordinal)
    {
        ["permissiondenied"] = "permission denied",
        ["notallowederror"] = "permission denied",
        ["permissiondeniederror"] = "permission denied",
        ["nodevice"] = "no device",
        ["notfounderror"] = "no device",
        ["devicesnotfounderror"] = "no device",
        ["deviceinuse"] = "device in use",
        ["notreadableerror"] = "device in use",
        ["trackstarterror"] = "device in use",
        ["devicelost"] = "device lost",
        ["deviceended"] = "device lost",
        ["devicedisconnected"] = "device lost",
    };

    protected override string Kind => IssueKinds.DeviceProblem;

    protected override IssueSeverity Severity => IssueSeverity.Error;

    protected override string Metric => "device";

    protected override (bool Problem, string? Detail)? Observe(DiagnosisEvent e) => e.Type switch
    {
        "media_permissions_failed" => (true, Meaning(e) ?? "permission denied"),
        "media_device_failed" or "media_device_changed" or "app_error" => Meaning(e) is { } meaning ? (true, meaning) : null,
        "audio_enabled" or "video_enabled" or "screenshare_started" => (false, null),
        _ => null,
    };

    private static string? Meaning(DiagnosisEvent e)
    {
        var code = e.Members.Code;
        if (code is null)
        {
            return null;
        }

        var key = new string(code.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var meaning = Codes.GetValueOrDefault(key);
        return meaning is null ? null : e.Members.Device is { } device ? $"{meaning} ({device})" : meaning;
    }

    protected override string Summary(IssueEvidence evidence, DiagnosisThresholds thresholds) =>
        $"A camera or microphone could not be used: {string.Join(", ", evidence.Samples.Select(s => s.Detail).Distinct(StringComparer.Ordinal))}.";
}
