using System.ComponentModel.DataAnnotations;

namespace Callscope.Server.Browser;

/// <summary>Limits of browser ingest, per client token's room and participant (<c>Callscope__ClientIngest__...</c>).</summary>
public sealed class ClientIngestOptions
{
    public const string Section = "Callscope:ClientIngest";

    /// <summary>Requests a participant's browser may make per minute (<c>Callscope__ClientIngest__RequestsPerMinute</c>).</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Events a participant's browser may send per minute (<c>Callscope__ClientIngest__EventsPerMinute</c>).</summary>
    [Range(1, 1_000_000)]
    public int EventsPerMinute { get; set; } = 1200;

    /// <summary>The largest request body, in bytes (<c>Callscope__ClientIngest__MaxBodyBytes</c>).</summary>
    [Range(1024, 8 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;
}
