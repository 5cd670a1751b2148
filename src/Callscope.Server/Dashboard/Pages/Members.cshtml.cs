using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Text.Json.Nodes;
using Callscope.Data;
using Callscope.Data.Audit;
using Callscope.Data.Teams;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Dashboard.Members;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages;

public sealed class NewMemberForm
{
    [Required(ErrorMessage = "Enter the member's email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(320)]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Email { get; set; } = string.Empty;

    [StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
    public string? Name { get; set; }

    [Required]
    [RegularExpression("^(admin|viewer)$", ErrorMessage = "Choose admin or viewer.")]
    public string Role { get; set; } = Roles.Viewer;

    [Required(ErrorMessage = "Set a first password; the member can change it after signing in.")]
    [StringLength(200, MinimumLength = 8, ErrorMessage = "The password needs 8 to 200 characters.")]
    [NotCommonPassword]
    [DataType(DataType.Password)]
    [Display(Name = "First password")]
    public string Password { get; set; } = string.Empty;
}

/// <summary>
/// Members of the team (admins only): add with a role and a first password, change roles, remove. The team always
/// keeps at least one admin, so nobody can lock the team out of its settings. An e-mail address is unique within
/// the team only: whether it belongs to someone in another team is never looked at, so it cannot show. A new role
/// and a removal end the member's sign-ins.
/// </summary>
public sealed class MembersModel(TeamStore teams, IPasswordHasher<Member> hasher, CallscopeDatabase database, AuditLog audit) : DashboardPage
{
    [BindProperty]
    public NewMemberForm Form { get; set; } = new();

    public const string AlreadyMember = "This email address already belongs to a member of this team.";

    public IReadOnlyList<Member> Members { get; private set; } = [];

    public Guid? Me => MemberPrincipal.MemberIdOf(User);

    public void OnGet() => Members = teams.Members(Team);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        Form.Email = Form.Email.Trim();
        if (ModelState.IsValid && teams.FindMember(Team, Form.Email) is not null)
        {
            ModelState.AddModelError("Form.Email", AlreadyMember);
        }

        if (ModelState.IsValid)
        {
            try
            {
                var member = teams.AddMember(Team, Form.Email, string.IsNullOrWhiteSpace(Form.Name) ? null : Form.Name.Trim(),
                    hasher.HashPassword(null!, Form.Password), Form.Role);
                await audit.RecordAsync(HttpContext, AuditActions.MemberAdded, AuditTarget.Member(member.Id),
                    new() { ["email"] = member.Email, ["role"] = member.Role }, cancellationToken);
                Flash($"{member.Email} was added as {member.Role}.");
                return LocalRedirect(Links.Members);
            }
            catch (DbException error) when (database.IsUniqueViolation(error))
            {
                ModelState.AddModelError("Form.Email", AlreadyMember);
            }
        }

        Members = teams.Members(Team);
        return Page();
    }

    public async Task<IActionResult> OnPostRoleAsync(Guid memberId, string role, CancellationToken cancellationToken)
    {
        var members = teams.Members(Team);
        if (members.FirstOrDefault(m => m.Id == memberId) is not { } member || role is not (Roles.Admin or Roles.Viewer))
        {
            return Missing("This member");
        }

        if (member.Role == Roles.Admin && role != Roles.Admin && members.Count(m => m.Role == Roles.Admin) == 1)
        {
            Flash($"{member.Email} is the team's only admin; make someone else an admin first.");
        }
        else
        {
            teams.SetRole(Team, member.Id, role);
            if (member.Role != role)
            {
                await audit.RecordAsync(HttpContext, AuditActions.MemberRoleChanged, AuditTarget.Member(member.Id),
                    new() { ["email"] = member.Email, ["role"] = new JsonObject { ["old"] = member.Role, ["new"] = role } }, cancellationToken);
            }

            Flash($"{member.Email} is now {role}.");
        }

        return LocalRedirect(Links.Members);
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid memberId, CancellationToken cancellationToken)
    {
        var members = teams.Members(Team);
        if (members.FirstOrDefault(m => m.Id == memberId) is not { } member)
        {
            return Missing("This member");
        }

        if (member.Id == Me)
        {
            Flash("You cannot remove yourself; ask another admin.");
        }
        else if (member.Role == Roles.Admin && members.Count(m => m.Role == Roles.Admin) == 1)
        {
            Flash($"{member.Email} is the team's only admin and cannot be removed.");
        }
        else
        {
            teams.RemoveMember(Team, member.Id);
            await audit.RecordAsync(HttpContext, AuditActions.MemberRemoved, AuditTarget.Member(member.Id),
                new() { ["email"] = member.Email, ["role"] = member.Role }, cancellationToken);
            Flash($"{member.Email} was removed from the team.");
        }

        return LocalRedirect(Links.Members);
    }
}
