using System.ComponentModel.DataAnnotations;
using Callscope.Data.Writing;
using Callscope.Server.Outbound;

namespace Callscope.Server.Hosting;

/// <summary>Configuration under <c>Callscope</c> (environment variables <c>Callscope__...</c>).</summary>
public sealed class CallscopeOptions
{
    public const string Section = "Callscope";

    /// <summary>Where the embedded database lives (<c>Callscope__DataDirectory</c>); relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The Data Protection key ring: <c>keys</c> under the data directory, next to the database it unlocks.</summary>
    public string KeyRingDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "keys");

    public DatabaseOptions Database { get; set; } = new();

    public BootstrapOptions Bootstrap { get; set; } = new();

    /// <summary>Requests Callscope makes to other servers (<c>Callscope__Outbound__AllowPrivateNetworks</c>).</summary>
    public OutboundOptions Outbound { get; set; } = new();

    /// <summary>Whether this node finds the issues in participants' events (<c>Callscope__Diagnosis__Enabled</c>).</summary>
    public DiagnosisOptions Diagnosis { get; set; } = new();

    /// <summary>How often the sweeper looks for sessions whose grace period has run out.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c> (<c>Callscope__Database__Provider</c>).</summary>
    [Required]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Overrides the SQLite file under the data directory (<c>Callscope__Database__ConnectionString</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The page cache of each SQLite connection that reads, in MiB (<c>Callscope__Database__ReaderPageCacheMib</c>);
    /// PostgreSQL ignores it.
    /// </summary>
    [Range(1, 4096)]
    public int ReaderPageCacheMib { get; set; } = Data.Dialects.SqliteDialect.DefaultReaderPageCacheMib;
}

/// <summary>Presets for the first team created at first start, for automation.</summary>
public sealed class BootstrapOptions
{
    public string TeamName { get; set; } = "My team";

    [MinLength(16)]
    public string? DeveloperKey { get; set; }

    [EmailAddress]
    public string AdminEmail { get; set; } = "admin@callscope.local";

    [MinLength(8)]
    [Auth.NotCommonPassword]
    public string? AdminPassword { get; set; }
}

/// <summary>
/// The diagnosis (docs/diagnosis.md). On by default; a node with it off stores events without marking their rooms and
/// runs no diagnosis worker, which only makes sense to measure what the diagnosis costs.
/// </summary>
public sealed class DiagnosisOptions
{
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// What the writer keeps in memory (docs/configuration.md, "Memory"): the law state of the rooms in use, and on
/// SQLite its page cache. Smaller saves memory; a room dropped costs one rebuild from its stored events when it is
/// next written.
/// </summary>
public sealed class WriterOptions
{
    public const string Section = "Callscope:Writer";

    /// <summary>Rooms whose law state is held at most (<c>Callscope__Writer__Rooms</c>), least recently used dropped first.</summary>
    [Range(100, 10_000_000)]
    public int Rooms { get; set; } = WriterMemory.Default.Rooms;

    /// <summary>How long a room's law state is held without use (<c>Callscope__Writer__RoomIdle</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RoomIdle { get; set; } = WriterMemory.Default.RoomIdle;

    /// <summary>The SQLite writer's page cache in MiB (<c>Callscope__Writer__PageCacheMib</c>); PostgreSQL ignores it.</summary>
    [Range(2, 4096)]
    public int PageCacheMib { get; set; } = WriterMemory.Default.PageCacheMib;

    public WriterMemory ToMemory() => new(Rooms, RoomIdle, PageCacheMib);
}

/// <summary>The retention worker (docs/operations.md, "Retention").</summary>
public sealed class RetentionOptions
{
    public const string Section = "Callscope:Retention";

    /// <summary>The pause between two passes (<c>Callscope__Retention__Interval</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>About how many rows one writer transaction deletes (<c>Callscope__Retention__BatchRows</c>).</summary>
    [Range(100, 100_000)]
    public int BatchRows { get; set; } = 2_000;
}

/// <summary>
/// Giving memory back once the server falls quiet (docs/configuration.md, "Memory"): after a burst the collector keeps
/// what it committed for the burst, several times the live heap; a quiet server compacts its heap once and returns the
/// rest to the system.
/// </summary>
public sealed class MemoryOptions
{
    public const string Section = "Callscope:Memory";

    /// <summary>Whether the server gives memory back when it falls quiet (<c>Callscope__Memory__TrimWhenQuiet</c>).</summary>
    public bool TrimWhenQuiet { get; set; } = true;

    /// <summary>How long the server must stay quiet before it gives memory back (<c>Callscope__Memory__QuietFor</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan QuietFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Allocation, in MiB per second, under which the server counts as quiet (<c>Callscope__Memory__QuietMibPerSecond</c>).</summary>
    [Range(1, 4096)]
    public int QuietMibPerSecond { get; set; } = 32;

    /// <summary>
    /// How much the committed memory must have grown, in MiB, over what the last return left, for another to be worth
    /// its pause (<c>Callscope__Memory__TrimAboveMib</c>).
    /// </summary>
    [Range(1, 65_536)]
    public int TrimAboveMib { get; set; } = 32;
}
