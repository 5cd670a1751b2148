using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Core.Diagnosis;

namespace Callscope.Data.Diagnosis;

/// <summary>
/// A team's detector thresholds as the API and the store write them: snake_case names, lengths of time in seconds.
/// Every member is present; a team that never changed them has <see cref="Defaults"/>.
/// </summary>
public sealed record DiagnosisSettings(
    [property: JsonPropertyName("rtt_ms")] double RttMs,
    [property: JsonPropertyName("jitter_ms")] double JitterMs,
    [property: JsonPropertyName("packet_loss_pct")] double PacketLossPct,
    [property: JsonPropertyName("loss_window")] int LossWindow,
    [property: JsonPropertyName("mos")] double Mos,
    [property: JsonPropertyName("sample_window")] int SampleWindow,
    [property: JsonPropertyName("crossings_needed")] int CrossingsNeeded,
    [property: JsonPropertyName("reconnect_storm_count")] int ReconnectStormCount,
    [property: JsonPropertyName("reconnect_storm_window_s")] int ReconnectStormWindowSeconds,
    [property: JsonPropertyName("long_reconnect_s")] int LongReconnectSeconds,
    [property: JsonPropertyName("limited_quality_s")] int LimitedQualitySeconds,
    [property: JsonPropertyName("silent_media_s")] int SilentMediaSeconds)
{
    public static readonly DiagnosisSettings Defaults = From(DiagnosisThresholds.Default);

    /// <summary>Each member: its name, and the range a team may set it in (inclusive).</summary>
    public static readonly IReadOnlyList<SettingRange> Ranges =
    [
        new("rtt_ms", 1, 60_000, Whole: false), new("jitter_ms", 1, 10_000, Whole: false), new("packet_loss_pct", 0, 100, Whole: false),
        new("loss_window", 1, 100), new("mos", 1, 5, Whole: false), new("sample_window", 1, 100), new("crossings_needed", 1, 100),
        new("reconnect_storm_count", 2, 100), new("reconnect_storm_window_s", 1, 86_400), new("long_reconnect_s", 1, 3_600),
        new("limited_quality_s", 1, 86_400), new("silent_media_s", 1, 86_400),
    ];

    public static DiagnosisSettings From(DiagnosisThresholds t) => new(
        t.RttMs, t.JitterMs, t.PacketLossPct, t.LossWindow, t.Mos, t.SampleWindow, t.CrossingsNeeded, t.ReconnectStormCount,
        (int)t.ReconnectStormWindow.TotalSeconds, (int)t.LongReconnect.TotalSeconds, (int)t.LimitedQuality.TotalSeconds,
        (int)t.SilentMedia.TotalSeconds);

    public DiagnosisThresholds ToThresholds() => new()
    {
        RttMs = RttMs, JitterMs = JitterMs, PacketLossPct = PacketLossPct, LossWindow = LossWindow, Mos = Mos, SampleWindow = SampleWindow,
        CrossingsNeeded = CrossingsNeeded, ReconnectStormCount = ReconnectStormCount,
        ReconnectStormWindow = TimeSpan.FromSeconds(ReconnectStormWindowSeconds), LongReconnect = TimeSpan.FromSeconds(LongReconnectSeconds),
        LimitedQuality = TimeSpan.FromSeconds(LimitedQualitySeconds), SilentMedia = TimeSpan.FromSeconds(SilentMediaSeconds),
    };

    /// <summary>The value of a member by its name, as a number.</summary>
    public double Get(string name) => name switch
    {
        "rtt_ms" => RttMs, "jitter_ms" => JitterMs, "packet_loss_pct" => PacketLossPct, "loss_window" => LossWindow, "mos" => Mos,
        "sample_window" => SampleWindow, "crossings_needed" => CrossingsNeeded, "reconnect_storm_count" => ReconnectStormCount,
        "reconnect_storm_window_s" => ReconnectStormWindowSeconds, "long_reconnect_s" => LongReconnectSeconds,
        "limited_quality_s" => LimitedQualitySeconds, "silent_media_s" => SilentMediaSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a diagnosis setting."),
    };

    /// <summary>These settings with one member changed; the value must already be in the member's range.</summary>
    public DiagnosisSettings With(string name, double value) => name switch
    {
        "rtt_ms" => this with { RttMs = value }, "jitter_ms" => this with { JitterMs = value },
        "packet_loss_pct" => this with { PacketLossPct = value }, "loss_window" => this with { LossWindow = (int)value },
        "mos" => this with { Mos = value }, "sample_window" => this with { SampleWindow = (int)value },
        "crossings_needed" => this with { CrossingsNeeded = (int)value }, "reconnect_storm_count" => this with { ReconnectStormCount = (int)value },
        "reconnect_storm_window_s" => this with { ReconnectStormWindowSeconds = (int)value },
        "long_reconnect_s" => this with { LongReconnectSeconds = (int)value }, "limited_quality_s" => this with { LimitedQualitySeconds = (int)value },
        "silent_media_s" => this with { SilentMediaSeconds = (int)value },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a diagnosis setting."),
    };

    /// <summary>What is wrong with the settings as a whole (each member being in range), or null.</summary>
    public string? Problem() => CrossingsNeeded > SampleWindow
        ? $"'crossings_needed' ({CrossingsNeeded}) cannot be more than 'sample_window' ({SampleWindow})."
        : null;

    /// <summary>The stored form: null for the defaults, so a team that never changed them follows new defaults.</summary>
    internal static string? Store(DiagnosisSettings settings) => settings == Defaults ? null : JsonSerializer.Serialize(settings);

    /// <summary>Reads the stored form; anything unreadable reads as the defaults.</summary>
    internal static DiagnosisSettings Load(string? json)
    {
        if (json is null)
        {
            return Defaults;
        }

        try
        {
            return JsonSerializer.Deserialize<DiagnosisSettings>(json) ?? Defaults;
        }
        catch (JsonException)
        {
            return Defaults;
        }
    }
}

/// <summary>A setting's name and the inclusive range a team may set it in; <paramref name="Whole"/> for whole numbers.</summary>
public sealed record SettingRange(string Name, double Min, double Max, bool Whole = true);
