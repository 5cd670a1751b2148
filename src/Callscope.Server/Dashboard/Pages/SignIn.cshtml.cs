using System.ComponentModel.DataAnnotations;
using Callscope.Data.Audit;
using Callscope.Data.Teams;
using Callscope.Data.Writing;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Dashboard.Members;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Callscope.Server.Dashboard.Pages;

public sealed class SignInForm
{
    [Required(ErrorMessage = "Enter your email address.")]
    [StringLength(320)]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Email { get; set; } = string.Empty;

    [Required(ErrorMessage = "Enter your password.")]
    [StringLength(200)]
    [DataType(DataType.Password)]
    public string Password { get; set; } = string.Empty;
}

/// <summary>
/// Members sign in with email and password (PBKDF2 hashes from ASP.NET Core Identity). A wrong email and a wrong
/// password get the same answer after the same work, so the form does not reveal who is a member. One address can
/// belong to members of several teams: the sign-in goes to the team whose member's password matches (the oldest
/// membership when several do). Tries are limited per client address (the rate limiter) and per e-mail address
/// (<see cref="PasswordAttempts"/>).
/// </summary>
[EnableRateLimiting(DashboardHosting.SignInLimit)]
public sealed partial class SignInModel(
    TeamStore teams, IPasswordHasher<Member> hasher, PasswordAttempts attempts, IngestPipeline pipeline, AuditLog audit, ILogger<SignInModel> logger)
    : PageModel
{
    private static string? unknownMemberHash;

    [BindProperty]
    public SignInForm Form { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect(SafeReturnUrl) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (attempts.TrySignIn(Form.Email) is { } wait)
        {
            Log.Limited(logger);
            return new TooManyRequestsResult(wait, "Too many sign-in attempts for this email address; try again later.");
        }

        // An unknown email is checked against a throwaway hash, so that it costs as much as a wrong password. The
        // hasher does not read the member it is given.
        unknownMemberHash ??= hasher.HashPassword(null!, Guid.NewGuid().ToString());
        Member? member = null;
        var verdict = PasswordVerificationResult.Failed;
        var candidates = teams.MembersWithEmail(Form.Email.Trim());
        if (candidates.Count == 0)
        {
            hasher.VerifyHashedPassword(null!, unknownMemberHash, Form.Password);
        }

        foreach (var candidate in candidates)
        {
            verdict = hasher.VerifyHashedPassword(candidate, candidate.PasswordHash, Form.Password);
            if (verdict != PasswordVerificationResult.Failed)
            {
                member = candidate;
                break;
            }
        }

        if (member is null)
        {
            Log.Refused(logger);
            await pipeline.SendAsync(new RecordSignInFailureCommand(
                Form.Email, [.. candidates.Select(c => (c.TeamId, c.Id, c.Email))], AuditLog.ClientIp(HttpContext)), HttpContext.RequestAborted);
            Error = "The email address or the password is not right.";
            return Page();
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            teams.RehashPassword(member.Id, hasher.HashPassword(member, Form.Password));
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, MemberPrincipal.For(member));
        Log.SignedIn(logger, member.Id, member.TeamId.ToString());
        await audit.RecordAsync(member.TeamId, AuditActor.Member(member.Id, member.Email), AuditActions.SignInSucceeded, AuditTarget.Member(member.Id),
            clientIp: AuditLog.ClientIp(HttpContext), cancellationToken: HttpContext.RequestAborted);
        return LocalRedirect(SafeReturnUrl);
    }

    private string SafeReturnUrl => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Links.Sessions;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} of team {TeamId} signed in to the dashboard")]
        public static partial void SignedIn(ILogger logger, Guid memberId, string teamId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A dashboard sign-in was refused: unknown email or wrong password")]
        public static partial void Refused(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A dashboard sign-in was refused: too many tries for one email address")]
        public static partial void Limited(ILogger logger);
    }
}
