using System.ComponentModel.DataAnnotations;

namespace Callscope.Server.Audit;

/// <summary>The audit log's own retention (<c>Callscope__Audit__RetentionDays</c>, ...), whatever the team's data retention is.</summary>
public sealed class AuditOptions
{
    public const string Section = "Callscope:Audit";

    /// <summary>How long entries are kept, in days.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often old entries are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many entries one transaction deletes at most.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}
