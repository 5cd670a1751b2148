using Callscope.Data.Diagnosis;

namespace Callscope.Server.Diagnosis;

/// <summary>
/// The rule a team's detector setting must follow, written once for the API (<c>PATCH /team/diagnosis</c>) and the
/// dashboard's Settings page: a finite number within the setting's range, a whole one where the setting counts.
/// </summary>
public static class DiagnosisSettingChecks
{
    public static bool Allows(SettingRange range, double value) =>
        double.IsFinite(value) && value >= range.Min && value <= range.Max && (!range.Whole || value == Math.Floor(value));

    /// <summary>What the setting must be, naming it as <paramref name="label"/> (its quoted name by default).</summary>
    public static string Rule(SettingRange range, string? label = null) =>
        $"{label ?? $"'{range.Name}'"} must be {(range.Whole ? "a whole number" : "a number")} from {range.Min} to {range.Max}.";
}
