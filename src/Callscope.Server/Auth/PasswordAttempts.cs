using System.Threading.RateLimiting;

namespace Callscope.Server.Auth;

/// <summary>
/// Limits password guesses per account, whatever address they come from: sign-ins per e-mail address (known or
/// not, so that the limit does not tell who is a member) and current-password checks on the account page per member.
/// The limit per client address is the rate limiter's (<see cref="Dashboard.DashboardHosting.SignInLimit"/>).
/// </summary>
public sealed class PasswordAttempts : IDisposable
{
    /// <summary>Tries per account in <see cref="Window"/>.</summary>
    public const int PerAccount = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerAccount,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one try at signing in as <paramref name="email"/>; null when allowed, else how long to wait.</summary>
    public TimeSpan? TrySignIn(string email) => Try("sign-in:" + email.Trim().ToLowerInvariant());

    /// <summary>Takes one try at the current password of a signed-in member.</summary>
    public TimeSpan? TryCurrentPassword(Guid member) => Try("current-password:" + member.ToString("N"));

    private TimeSpan? Try(string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
    }

    public void Dispose() => limiter.Dispose();
}
