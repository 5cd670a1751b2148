using Callscope.Core;
using Callscope.Data.Audit;

namespace Callscope.Data.Writing;

/// <summary>
/// Records a refused sign-in in every team, so that what a team's log shows depends only on its own members: a team
/// with a member of that e-mail address records the member; every other team records a visitor with the address as
/// typed (cut to <see cref="AuditActor.MaxEmailLength"/>), whether or not some other team has such a member. Answers
/// how many entries it wrote.
/// </summary>
public sealed class RecordSignInFailureCommand(string typedEmail, IReadOnlyList<(TeamId Team, Guid Member, string Email)> members, string? clientIp)
    : WriteCommand<int>
{
    internal override int Run(WriteContext context)
    {
        var known = members.Select(m => m.Team).ToHashSet();
        var visitor = AuditActor.Visitor(typedEmail);
        List<AuditEntry> entries =
        [
            .. members.Select(m => new AuditEntry(m.Team, AuditActor.Member(m.Member, m.Email), AuditActions.SignInFailed,
                AuditTarget.Member(m.Member), new() { ["reason"] = "wrong_password" }, clientIp)),
            .. AuditRows.TeamsBut(context.Connection, context.Transaction, known).Select(team => new AuditEntry(team, visitor, AuditActions.SignInFailed,
                new AuditTarget("member", null), new() { ["reason"] = "unknown_email" }, clientIp)),
        ];
        AuditRows.Write(context.Connection, context.Transaction, entries, context.Now);
        return entries.Count;
    }
}
