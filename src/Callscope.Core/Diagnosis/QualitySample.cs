namespace Callscope.Core.Diagnosis;

/// <summary>
/// The members of a <c>quality_sample</c>'s data the detectors read, all optional (docs/diagnosis.md lists them with
/// the members only the chart reads), as the event read them once (<see cref="DiagnosisData"/>).
/// </summary>
internal static class QualitySample
{
    public const string Type = "quality_sample";

    public static double? Rtt(DiagnosisEvent e) => e.Members.RttMs;

    public static double? Jitter(DiagnosisEvent e) => e.Members.JitterMs;

    public static double? Loss(DiagnosisEvent e) => e.Members.PacketLossPct;

    /// <summary>The sample's MOS when it carries one, else the E-model's estimate from what it carries, else null.</summary>
    public static double? Mos(DiagnosisEvent e)
    {
        if (e.Members.Mos is { } given)
        {
            return given;
        }

        var (rtt, jitter, loss) = (Rtt(e), Jitter(e), Loss(e));
        return rtt is null && jitter is null && loss is null ? null : MosEstimate.From(rtt ?? 0, jitter ?? 0, loss ?? 0);
    }

    /// <summary>Audio sent, in kbit/s: the audio member when the sample has one, else the whole outgoing bitrate.</summary>
    public static double? AudioSent(DiagnosisEvent e) => e.Members.AudioBitrateUpKbps ?? e.Members.BitrateUpKbps;

    /// <summary>Audio received, in kbit/s, read the same way.</summary>
    public static double? AudioReceived(DiagnosisEvent e) => e.Members.AudioBitrateDownKbps ?? e.Members.BitrateDownKbps;

    /// <summary>Why the sent video is limited: <c>none</c>, <c>bandwidth</c>, <c>cpu</c> or <c>other</c> (WebRTC's qualityLimitationReason).</summary>
    public static string? QualityLimitation(DiagnosisEvent e) => e.Members.QualityLimitation;

    /// <summary>The local ICE candidate type of the connection in use: <c>host</c>, <c>srflx</c>, <c>prflx</c> or <c>relay</c>.</summary>
    public static string? CandidateType(DiagnosisEvent e) => e.Members.CandidateType;

    /// <summary>The peer connection's state (WebRTC's RTCPeerConnectionState or ICE connection state).</summary>
    public static string? ConnectionState(DiagnosisEvent e) => e.Members.ConnectionState;
}
