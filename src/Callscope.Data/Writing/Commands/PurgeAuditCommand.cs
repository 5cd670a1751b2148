namespace Callscope.Data.Writing;

/// <summary>
/// Deletes up to <paramref name="batch"/> audit entries written before <paramref name="before"/>, oldest first, so
/// that a long backlog goes in short transactions beside ingest. Answers how many it deleted.
/// </summary>
public sealed class PurgeAuditCommand(DateTimeOffset before, int batch) : WriteCommand<int>
{
    internal override int Run(WriteContext context) => context.Execute(
        "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < @before ORDER BY at LIMIT @batch)",
        new { before = DbTime.Ms(before), batch });
}
