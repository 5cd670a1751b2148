using System.ComponentModel.DataAnnotations;
using Callscope.Core.Rooms;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Rooms;

/// <summary>The settings a room can override, with the limits the API enforces.</summary>
public sealed class RoomForm
{
    [Required(ErrorMessage = "A room needs a name.")]
    [StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
    [Display(Name = "Name")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string FriendlyUrl { get; set; } = string.Empty;

    [StringLength(1000, ErrorMessage = "The description can be at most 1000 characters.")]
    public string? Description { get; set; }

    [StringLength(200, ErrorMessage = "The external ID can be at most 200 characters.")]
    [Display(Name = "External ID")]
    public string? ExternalId { get; set; }

    [Range(0, 86_400, ErrorMessage = "The grace period is 0 to 86400 seconds.")]
    [Display(Name = "Grace period (seconds)")]
    public int? GracePeriod { get; set; }

    [Range(1, 10_080, ErrorMessage = "The session length is 1 to 10080 minutes.")]
    [Display(Name = "Session length (minutes)")]
    public int? SessionLength { get; set; }

    [Range(1, 100_000, ErrorMessage = "The participant limit is 1 to 100000.")]
    [Display(Name = "Max participants")]
    public int? MaxParticipants { get; set; }
}

/// <summary>Creates a room (<c>/rooms/new</c>) or changes one's settings; live sessions follow a changed grace period or length.</summary>
public sealed class EditRoomModel(RoomStore rooms, IngestPipeline pipeline) : DashboardPage
{
    [BindProperty]
    public RoomForm Form { get; set; } = new();

    public Room? Existing { get; private set; }

    public IActionResult OnGet(string? id)
    {
        if (id is null)
        {
            return Page();
        }

        if (Find(id) is not { } room)
        {
            return Missing("This room");
        }

        Existing = room;
        Form = new RoomForm
        {
            FriendlyUrl = room.FriendlyUrl, Description = room.Description, ExternalId = room.ExternalId,
            GracePeriod = room.GracePeriod, SessionLength = room.SessionLength, MaxParticipants = room.MaxParticipants,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? id, CancellationToken cancellationToken)
    {
        if (id is not null)
        {
            Existing = Find(id);
            if (Existing is null)
            {
                return Missing("This room");
            }
        }

        Form.FriendlyUrl = Form.FriendlyUrl.Trim();
        if (ModelState.IsValid && Form.FriendlyUrl != Existing?.FriendlyUrl && RoomNames.Problem(Form.FriendlyUrl) is { } problem)
        {
            ModelState.AddModelError("Form.FriendlyUrl", problem);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var settings = new RoomSettings(Form.FriendlyUrl, Form.Description, Form.ExternalId, Form.GracePeriod, Form.SessionLength, Form.MaxParticipants);
        WriteCommand<RoomResult> command = Existing is null ? new CreateRoomCommand(Team, settings) : new ChangeRoomCommand(Team, Existing.Id, settings);
        var result = await pipeline.SendAsync(command, cancellationToken);
        if (result.Outcome == RoomOutcome.NotFound)
        {
            return Missing("This room");
        }

        if (result.Outcome == RoomOutcome.NameTaken)
        {
            ModelState.AddModelError("Form.FriendlyUrl", $"A room named “{Form.FriendlyUrl}” already exists.");
            return Page();
        }

        Flash(Existing is null ? $"Room {settings.FriendlyUrl} was created." : $"The settings of {settings.FriendlyUrl} were saved.");
        return LocalRedirect(Links.Rooms);
    }

    private Room? Find(string id) => Guid.TryParse(id, out _) && rooms.Find(Team, id) is { DeletedAt: null } room ? room : null;
}
