using System.ComponentModel.DataAnnotations;
using Callscope.Data.Audit;
using Callscope.Data.Teams;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Dashboard.Members;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages;

public sealed class PasswordForm
{
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string Current { get; set; } = string.Empty;

    [Required(ErrorMessage = "Enter a new password.")]
    [StringLength(200, MinimumLength = 8, ErrorMessage = "The password needs 8 to 200 characters.")]
    [NotCommonPassword]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string New { get; set; } = string.Empty;

    [Compare(nameof(New), ErrorMessage = "The two new passwords differ.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password again")]
    public string Repeat { get; set; } = string.Empty;
}

/// <summary>
/// The signed-in member's own account: who they are, and a password change. Checks of the current password are
/// limited per member (<see cref="PasswordAttempts"/>). A new password ends the member's other sign-ins; this one stays.
/// </summary>
public sealed class AccountModel(TeamStore teams, IPasswordHasher<Member> hasher, PasswordAttempts attempts, AuditLog audit) : DashboardPage
{
    [BindProperty]
    public PasswordForm Form { get; set; } = new();

    public Member Member { get; private set; } = null!;

    public IActionResult OnGet() => Load() ? Page() : Missing("Your account");

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Load())
        {
            return Missing("Your account");
        }

        if (ModelState.IsValid && attempts.TryCurrentPassword(Member.Id) is { } wait)
        {
            return new TooManyRequestsResult(wait, "Too many tries of the current password; try again later.");
        }

        if (ModelState.IsValid && hasher.VerifyHashedPassword(Member, Member.PasswordHash, Form.Current) == PasswordVerificationResult.Failed)
        {
            ModelState.AddModelError("Form.Current", "That is not your current password.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var stamp = teams.ChangePassword(Member.Id, hasher.HashPassword(Member, Form.New));
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, MemberPrincipal.For(Member with { SecurityStamp = stamp }));
        await audit.RecordAsync(HttpContext, AuditActions.MemberPasswordChanged, AuditTarget.Member(Member.Id));
        Flash("Your password was changed.");
        return LocalRedirect(Links.Account);
    }

    private bool Load()
    {
        if (MemberPrincipal.MemberIdOf(User) is not { } id || teams.FindMember(Team, id) is not { } member)
        {
            return false;
        }

        Member = member;
        return true;
    }
}
