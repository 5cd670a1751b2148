using System.ComponentModel.DataAnnotations;
using Callscope.Data.Writing;
using Callscope.Data.Teams;
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
}

/// <summary>
/// Team settings (admins only) and developer key rotation. A new key is shown once, in the answer to the rotation,
/// which is never cached; only its hash is stored.
/// </summary>
public sealed class SettingsModel(TeamStore teams, IngestPipeline pipeline) : DashboardPage
{
    [BindProperty]
    public TeamForm Form { get; set; } = new();

    public string? NewKey { get; private set; }

    public void OnGet() => Fill();

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        await pipeline.SendAsync(
            new ChangeTeamCommand(Team, new TeamSettings(Form.Name.Trim(), Form.MaxSessions, Form.GracePeriod!.Value, Form.SessionLength)), cancellationToken);

        Flash("The team's settings were saved.");
        return LocalRedirect(Links.Settings);
    }

    public IActionResult OnPostRotate()
    {
        var key = DeveloperKeys.Generate();
        teams.RotateKey(Team, key);
        NewKey = key;
        Response.Headers.CacheControl = "no-store";
        ModelState.Clear();
        Fill();
        return Page();
    }

    private void Fill()
    {
        var team = teams.Find(Team)!;
        Form = new TeamForm { Name = team.Name, MaxSessions = team.MaxSessions, GracePeriod = team.GracePeriod, SessionLength = team.SessionLength };
    }
}
