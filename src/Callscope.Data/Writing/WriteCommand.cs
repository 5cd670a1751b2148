using Callscope.Data.Audit;

namespace Callscope.Data.Writing;

/// <summary>
/// A change to the store, run by the single writer inside its group-commit transaction (rolled back alone when it fails)
/// and answered only after that transaction commits. Each command owns its SQL and lives in a file of its own under
/// <c>Writing/Commands</c>.
/// </summary>
public abstract class WriteCommand
{
    /// <summary>How many events the command carries, for the writer's bound on a transaction's size.</summary>
    internal virtual int Weight => 1;

    /// <summary>When the command was queued (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 if it never was).</summary>
    internal long QueuedAt { get; set; }

    internal abstract void Execute(WriteContext context);

    internal abstract void Commit();

    internal abstract void Fail(Exception error);
}

public abstract class WriteCommand<T> : WriteCommand
{
    private readonly TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? result;

    public Task<T> Completion => done.Task;

    /// <summary>Does the command's work in the writer's transaction and returns its answer, given once the transaction commits.</summary>
    internal abstract T Run(WriteContext context);

    /// <summary>
    /// The audit entry of the change, given the command's answer (null when the answer says nothing changed): written
    /// with the command's own writes, so the change and its record commit together or not at all.
    /// </summary>
    public Func<T, AuditEntry?>? Audit { get; init; }

    internal sealed override void Execute(WriteContext context)
    {
        result = Run(context);
        if (Audit?.Invoke(result) is { } entry)
        {
            AuditRows.Write(context.Connection, context.Transaction, [entry], context.Now);
        }
    }

    internal override void Commit() => done.TrySetResult(result!);

    internal override void Fail(Exception error) => done.TrySetException(error);
}

/// <summary>
/// A command that replaces stored values (a team's settings, its thresholds): its audit entry compares against the
/// values it replaced, as read in its own transaction, so each of two changes in a row records what it changed.
/// </summary>
public abstract class ReplacingCommand<T, TReplaced> : WriteCommand<T>
    where TReplaced : class
{
    /// <summary>The values the change replaced, set by <see cref="WriteCommand{T}.Run"/> once it has replaced them; null when nothing was (no such team).</summary>
    protected TReplaced? Replaced { get; set; }

    /// <summary>
    /// The audit entry of the change, given the values it replaced; not asked when nothing was replaced. It is the
    /// command's <see cref="WriteCommand{T}.Audit"/>.
    /// </summary>
    public Func<TReplaced, AuditEntry?>? AuditChange
    {
        get;
        init
        {
            field = value;
            Audit = value is null ? null : _ => Replaced is { } replaced ? value(replaced) : null;
        }
    }
}

/// <summary>
/// A command failed for a reason of the server's, not of its input: the writer logged the cause once, rolled the
/// command back, and went on. Requests answer it with a 500 problem.
/// </summary>
public sealed class WriteFailedException(Exception cause) : Exception("The change could not be stored.", cause);
