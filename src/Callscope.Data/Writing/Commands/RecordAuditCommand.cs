using Callscope.Data.Audit;

namespace Callscope.Data.Writing;

/// <summary>
/// Records audit entries of changes made outside the writer (members, keys, webhooks, ...), right after they succeeded,
/// or of something that changed nothing (a sign-in, an export).
/// </summary>
public sealed class RecordAuditCommand(IReadOnlyList<AuditEntry> entries) : WriteCommand<int>
{
    internal override int Run(WriteContext context)
    {
        AuditRows.Write(context.Connection, context.Transaction, entries, context.Now);
        return entries.Count;
    }
}
