namespace Callscope.Core.Diagnosis;

/// <summary>
/// The thresholds of the detectors (docs/diagnosis.md says where each default comes from). The quality defaults are
/// the network-quality warnings of Twilio's Voice SDKs; the MOS is estimated with a simplified ITU-T G.107 E-model.
/// </summary>
public sealed record DiagnosisThresholds
{
    public static readonly DiagnosisThresholds Default = new();

    /// <summary>A sample crosses when its round-trip time is above this, in milliseconds.</summary>
    public double RttMs { get; init; } = 400;

    /// <summary>A sample crosses when its jitter is above this, in milliseconds.</summary>
    public double JitterMs { get; init; } = 30;

    /// <summary>High packet loss: the average loss over <see cref="LossWindow"/> samples is above this, in percent.</summary>
    public double PacketLossPct { get; init; } = 3;

    public int LossWindow { get; init; } = 7;

    /// <summary>A sample crosses when its MOS (given or estimated) is below this.</summary>
    public double Mos { get; init; } = 3.5;

    /// <summary>RTT, jitter and MOS are raised when <see cref="CrossingsNeeded"/> of the last <see cref="SampleWindow"/> samples cross.</summary>
    public int SampleWindow { get; init; } = 5;

    public int CrossingsNeeded { get; init; } = 3;

    /// <summary>A reconnect storm: this many reconnects within <see cref="ReconnectStormWindow"/>.</summary>
    public int ReconnectStormCount { get; init; } = 3;

    public TimeSpan ReconnectStormWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A long reconnect: a connection lost for the network and back more than this later.</summary>
    public TimeSpan LongReconnect { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Sent video limited by bandwidth or CPU for this long.</summary>
    public TimeSpan LimitedQuality { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Audio enabled but silent for this long.</summary>
    public TimeSpan SilentMedia { get; init; } = TimeSpan.FromSeconds(30);
}
