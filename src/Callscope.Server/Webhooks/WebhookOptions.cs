using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Callscope.Server.Webhooks;

/// <summary>How this node sends webhooks (<c>Callscope__Webhooks__...</c>, docs/webhooks.md).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Callscope:Webhooks";

    /// <summary>Whether this node sends deliveries; every node queues them either way.</summary>
    public bool Dispatch { get; set; } = true;

    /// <summary>
    /// The waits between tries, comma-separated (<c>d.hh:mm:ss</c>): after the first try fails the first wait, and so on;
    /// after the last try the delivery fails. About a day and a quarter by default, over 8 tries.
    /// </summary>
    [RegularExpression(@"^\s*[0-9.:]+(\s*,\s*[0-9.:]+)*\s*$", ErrorMessage = "RetrySchedule must be TimeSpans (d.hh:mm:ss) separated by commas.")]
    public string RetrySchedule { get; set; } = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    /// <summary>A webhook is disabled when a delivery fails for good after it has failed, with no success, for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest one try may take, from connecting to the end of the answer's headers and excerpt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a node's claim on a delivery holds; a node that dies mid-try leaves it to run out. It must outlast the
    /// wait of a claimed delivery for its turn: up to 4 rounds of <see cref="Timeout"/> (a node claims up to 4 times what
    /// it sends at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the node looks for deliveries that came due (another node's, or a retry's).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tries in flight on this node at once, in all (it claims up to 4 times as many, which wait their turn).</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Tries in flight on this node to one webhook at once, so that a slow endpoint cannot hold back the others.</summary>
    [Range(1, 1_000)]
    public int MaxInFlightPerWebhook { get; set; } = 8;

    /// <summary>
    /// A claimed delivery may wait for its turn behind up to 5 rounds of tries to its webhook, then take its own: a
    /// lease shorter than that could run out while the try is still under way, and another node would send it again.
    /// </summary>
    public const int LeaseRounds = 6;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Lease <= Timeout * LeaseRounds)
        {
            yield return new ValidationResult(
                $"Callscope:Webhooks:Lease must be longer than {LeaseRounds} times Callscope:Webhooks:Timeout: a claimed delivery may wait behind 5 rounds of tries to its webhook before its own.",
                [nameof(Lease)]);
        }
    }

    /// <summary>The waits of <see cref="RetrySchedule"/>.</summary>
    public TimeSpan[] Delays() =>
        [.. RetrySchedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture))];
}
