namespace Callscope.Core.Diagnosis;

/// <summary>
/// The members of a <c>quality_sample</c>'s data the detectors read, all optional (docs/diagnosis.md lists them with
/// the members only the chart reads).
/// </summary>
internal static class QualitySample
{
    public const string Type = "quality_sample";

    public static double? Rtt(DiagnosisEvent e) => e.Number("rtt_ms");

    public static double? Jitter(DiagnosisEvent e) => e.Number("jitter_ms");

    public static double? Loss(DiagnosisEvent e) => e.Number("packet_loss_pct");

    /// <summary>The sample's MOS when it carries one, else the E-model's estimate from what it carries, else null.</summary>
    public static double? Mos(DiagnosisEvent e)
    {
        if (e.Number("mos") is { } given)
        {
            return given;
        }

        var (rtt, jitter, loss) = (Rtt(e), Jitter(e), Loss(e));
        return rtt is null && jitter is null && loss is null ? null : MosEstimate.From(rtt ?? 0, jitter ?? 0, loss ?? 0);
    }

    /// <summary>Audio sent, in kbit/s: the audio member when the sample has one, else the whole outgoing bitrate.</summary>
    public static double? AudioSent(DiagnosisEvent e) => e.Number("audio_bitrate_up_kbps") ?? e.Number("bitrate_up_kbps");

    /// <summary>Audio received, in kbit/s, read the same way.</summary>
    public static double? AudioReceived(DiagnosisEvent e) => e.Number("audio_bitrate_down_kbps") ?? e.Number("bitrate_down_kbps");

    /// <summary>Why the sent video is limited: <c>none</c>, <c>bandwidth</c>, <c>cpu</c> or <c>other</c> (WebRTC's qualityLimitationReason).</summary>
    public static string? QualityLimitation(DiagnosisEvent e) => e.Text("quality_limitation");

    /// <summary>The local ICE candidate type of the connection in use: <c>host</c>, <c>srflx</c>, <c>prflx</c> or <c>relay</c>.</summary>
    public static string? CandidateType(DiagnosisEvent e) => e.Text("candidate_type");

    /// <summary>The peer connection's state (WebRTC's RTCPeerConnectionState or ICE connection state).</summary>
    public static string? ConnectionState(DiagnosisEvent e) => e.Text("connection_state");
}
