using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Callscope.Data.Audit;
using Callscope.Data.Diagnosis;
using Callscope.Data.Writing;
using Callscope.Data.Teams;
using Callscope.Server.Audit;
using Callscope.Server.Browser;
using Callscope.Server.Diagnosis;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>The team's settings, with the limits the API enforces.</summary>
public sealed class TeamForm
{
    [Required(ErrorMessage = "The team needs a name.")]
    [StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
    [Display(Name = "Team name")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Name { get; set; } = string.Empty;

    [Range(1, 1_000_000, ErrorMessage = "The limit is 1 to 1000000 sessions, or empty for no limit.")]
    [Display(Name = "Max concurrent sessions")]
    public int? MaxSessions { get; set; }

    [Required(ErrorMessage = "Set a grace period (420 seconds is the default).")]
    [Range(0, 86_400, ErrorMessage = "The grace period is 0 to 86400 seconds.")]
    [Display(Name = "Grace period (seconds)")]
    public int? GracePeriod { get; set; }

    [Range(1, 10_080, ErrorMessage = "The session length is 1 to 10080 minutes, or empty for no limit.")]
    [Display(Name = "Session length (minutes)")]
    public int? SessionLength { get; set; }

    [Required(ErrorMessage = "Set the day the usage period starts (1 is the calendar month).")]
    [Range(1, TeamSettings.LastPeriodStartDay, ErrorMessage = "The usage period starts on a day from 1 to 28.")]
    [Display(Name = "Usage period starts on day")]
    public int? PeriodStartDay { get; set; } = 1;

    [Range(TeamSettings.MinRetentionDays, TeamSettings.MaxRetentionDays, ErrorMessage = "Keep history 1 to 3650 days, or leave it empty to keep it for ever.")]
    [Display(Name = "Keep history for (days)")]
    public int? RetentionDays { get; set; }
}

/// <summary>One detector threshold on the form: the setting's name, what it means, and the text shown or typed.</summary>
public sealed record DiagnosisField(string Name, string Label, string Hint, string Value, string? Error);

/// <summary>
/// Team settings (admins only), the thresholds of problem detection, developer key rotation, and the origins the
/// browser SDK may send from. A new key is shown once, in the answer to the rotation, which is never cached; only its
/// hash is stored.
/// </summary>
public sealed class SettingsModel(TeamStore teams, IssueQueries issues, IngestPipeline pipeline, BrowserAccessStore access, AuditLog audit) : DashboardPage
{
    /// <summary>Each threshold as the form shows it, in the order of <see cref="DiagnosisSettings.Ranges"/>.</summary>
    private static readonly Dictionary<string, (string Label, string Hint)> DiagnosisLabels = new(StringComparer.Ordinal)
    {
        ["rtt_ms"] = ("High round-trip time above (ms)", "In enough of the last samples (below)."),
        ["jitter_ms"] = ("High jitter above (ms)", "In enough of the last samples (below)."),
        ["packet_loss_pct"] = ("High packet loss: average above (%)", "Averaged over the loss window."),
        ["loss_window"] = ("Loss window (samples)", "How many of the last samples packet loss is averaged over."),
        ["mos"] = ("Low MOS below", "Estimated call quality, 1 to 5."),
        ["sample_window"] = ("Sample window (samples)", "The last samples round-trip time, jitter and MOS are looked at in."),
        ["crossings_needed"] = ("Samples that must cross", "Of the sample window; no more than the window."),
        ["reconnect_storm_count"] = ("Reconnect storm: reconnects", "This many reconnects within the storm window."),
        ["reconnect_storm_window_s"] = ("Storm window (seconds)", "The time the reconnects must fall in."),
        ["long_reconnect_s"] = ("Long reconnect over (seconds)", "Between losing the connection and coming back."),
        ["limited_quality_s"] = ("Limited video for (seconds)", "Sent video limited by bandwidth or CPU this long."),
        ["silent_media_s"] = ("Silent audio for (seconds)", "Audio on but nothing sent or received this long."),
    };

    [BindProperty]
    public TeamForm Form { get; set; } = new();

    public string? NewKey { get; private set; }

    /// <summary>The thresholds of problem detection, with any errors of the values just sent.</summary>
    public IReadOnlyList<DiagnosisField> Diagnosis { get; private set; } = [];

    /// <summary>The allowed origins as the form shows them, one a line: the stored ones, or what was just typed.</summary>
    public string Origins { get; private set; } = string.Empty;

    /// <summary>Why the origins just sent were refused, one reason a line; null when they were not.</summary>
    public IReadOnlyList<string>? OriginErrors { get; private set; }

    /// <summary>Where pages load the browser SDK from: this server, as the browser reached it.</summary>
    public string SdkScript => $"{Request.Scheme}://{Request.Host}{Request.PathBase}{SdkFiles.Folder}/callscope.js";

    public void OnGet() => Fill();

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            ShowDiagnosis(issues.Settings(Team));
            ShowOrigins();
            return Page();
        }

        await pipeline.SendAsync(AuditLog.ChangeTeam(HttpContext, Team,
            new TeamSettings(Form.Name.Trim(), Form.MaxSessions, Form.GracePeriod!.Value, Form.SessionLength, Form.PeriodStartDay!.Value, Form.RetentionDays)), cancellationToken);

        Flash("The team's settings were saved.");
        return LocalRedirect(Links.Settings);
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken cancellationToken)
    {
        var key = DeveloperKeys.Generate();
        teams.RotateKey(Team, key);
        await audit.RecordAsync(HttpContext, AuditActions.DeveloperKeyRotated, new AuditTarget("developer_key", null), cancellationToken: cancellationToken);
        NewKey = key;
        Response.Headers.CacheControl = "no-store";
        ModelState.Clear();
        Fill();
        return Page();
    }

    /// <summary>
    /// Changes the problem detection thresholds, checked as the API checks them; when any value is wrong nothing
    /// changes and the form shows what was typed with the reasons.
    /// </summary>
    public async Task<IActionResult> OnPostDiagnosisAsync(CancellationToken cancellationToken)
    {
        // The team form is bound on every post; this one did not send it.
        ModelState.Clear();
        var stored = issues.Settings(Team);
        var settings = stored;
        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in DiagnosisSettings.Ranges)
        {
            if (!Request.Form.TryGetValue(range.Name, out var sent))
            {
                continue;
            }

            var text = typed[range.Name] = sent.ToString().Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !DiagnosisSettingChecks.Allows(range, value))
            {
                errors[range.Name] = DiagnosisSettingChecks.Rule(range, DiagnosisLabels[range.Name].Label);
                continue;
            }

            settings = settings.With(range.Name, value);
        }

        // Each value in range, yet together they may not fit: the API names the same field.
        if (errors.Count == 0 && settings.Problem() is { } problem)
        {
            errors["crossings_needed"] = problem;
        }

        if (errors.Count > 0)
        {
            Fill();
            ShowDiagnosis(stored, typed, errors);
            return Page();
        }

        await pipeline.SendAsync(AuditLog.ChangeDiagnosis(HttpContext, Team, settings), cancellationToken);
        Flash("The problem detection thresholds were saved; every participant's problems are found again under them.");
        return LocalRedirect(Links.Settings + "#problems-title");
    }

    /// <summary>
    /// Replaces the origins whose pages may send browser events, one a line, checked and normalised as the API does it
    /// (<c>PATCH /api/v1/team</c>); when any line is not an origin nothing changes and the form keeps what was typed.
    /// </summary>
    public async Task<IActionResult> OnPostOriginsAsync(CancellationToken cancellationToken)
    {
        // The team form is bound on every post; this one did not send it.
        ModelState.Clear();
        var typed = Request.Form["allowed_origins"].ToString();
        var lines = typed.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var (origins, problems) = BrowserOrigins.NormalizeAll(lines);
        if (lines.Length > BrowserOrigins.MaxOrigins)
        {
            problems.Insert(0, $"A team can allow at most {BrowserOrigins.MaxOrigins} origins; this list has {lines.Length}.");
        }

        if (problems.Count > 0)
        {
            Fill();
            Origins = typed;
            OriginErrors = problems;
            return Page();
        }

        await audit.ChangeOriginsAsync(HttpContext, access, Team, origins, cancellationToken);

        Flash(origins.Count == 0
            ? "The allowed origins were saved: none, so no other site's pages can send browser events."
            : "The allowed origins were saved.");
        return LocalRedirect(Links.Settings + "#browser-title");
    }

    private void Fill()
    {
        var team = teams.Find(Team)!;
        Form = new TeamForm
        {
            Name = team.Name, MaxSessions = team.MaxSessions, GracePeriod = team.GracePeriod, SessionLength = team.SessionLength,
            PeriodStartDay = team.PeriodStartDay, RetentionDays = team.RetentionDays,
        };
        ShowDiagnosis(issues.Settings(Team));
        ShowOrigins();
    }

    private void ShowOrigins() => Origins = string.Join('\n', access.Origins(Team));

    private void ShowDiagnosis(DiagnosisSettings settings, IReadOnlyDictionary<string, string>? typed = null, IReadOnlyDictionary<string, string>? errors = null) =>
        Diagnosis = [.. DiagnosisSettings.Ranges.Select(r => new DiagnosisField(
            r.Name, DiagnosisLabels[r.Name].Label, DiagnosisLabels[r.Name].Hint,
            typed?.GetValueOrDefault(r.Name) ?? settings.Get(r.Name).ToString(CultureInfo.InvariantCulture), errors?.GetValueOrDefault(r.Name)))];
}
