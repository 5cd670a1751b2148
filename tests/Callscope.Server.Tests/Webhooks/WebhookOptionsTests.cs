using System.ComponentModel.DataAnnotations;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Webhooks;

namespace Callscope.Server.Tests.Webhooks;

/// <summary>
/// A node's claim on a delivery must outlast six rounds of tries (<see cref="WebhookOptions.LeaseRounds"/>): a server
/// whose <c>Callscope:Webhooks:Lease</c> is not longer than six times <c>Callscope:Webhooks:Timeout</c> refuses to start
/// and says which setting is wrong.
/// </summary>
public sealed class WebhookOptionsTests : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "callscope-tests", "webhook-options-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("00:00:15", "00:01:30")]
    [InlineData("00:00:15", "00:01:00")]
    [InlineData("00:00:01", "00:00:06")]
    [InlineData("00:00:05", "00:00:05")]
    [InlineData("00:00:10", "00:00:01")]
    public void A_lease_not_longer_than_six_timeouts_is_refused_naming_the_lease(string timeout, string lease)
    {
        var problems = Validate(new WebhookOptions { Timeout = TimeSpan.Parse(timeout), Lease = TimeSpan.Parse(lease) });

        var problem = Assert.Single(problems);
        Assert.Contains("Callscope:Webhooks:Lease", problem.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([nameof(WebhookOptions.Lease)], problem.MemberNames);
    }

    [Theory]
    [InlineData("00:00:15", "00:01:30.001")]
    [InlineData("00:00:01", "00:00:07")]
    [InlineData("00:00:05", "00:00:31")]
    [InlineData("00:02:00", "00:15:00")]
    public void A_lease_longer_than_six_timeouts_is_taken(string timeout, string lease)
    {
        Assert.Empty(Validate(new WebhookOptions { Timeout = TimeSpan.Parse(timeout), Lease = TimeSpan.Parse(lease) }));
    }

    [Fact]
    public void The_defaults_are_taken()
    {
        var defaults = new WebhookOptions();

        Assert.Empty(Validate(defaults));
        Assert.True(defaults.Lease > defaults.Timeout * WebhookOptions.LeaseRounds);
    }

    [Fact]
    public async Task A_server_whose_lease_is_six_timeouts_refuses_to_start_with_a_message_naming_the_lease()
    {
        using var process = CallscopeCommand.Start(
            ["--urls", "http://127.0.0.1:0"], folder, ("Callscope__Webhooks__Timeout", "00:00:10"), ("Callscope__Webhooks__Lease", "00:01:00"));
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(StartLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The server was still running after {StartLimit.TotalSeconds} s: it took a lease of six timeouts.");
        }

        var said = await output + await errors;
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("callscope: ", said, StringComparison.Ordinal);
        Assert.Contains("Callscope:Webhooks:Lease must be longer than 6 times Callscope:Webhooks:Timeout", said, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Never made, or a leftover temp folder: harmless.
        }
    }

    /// <summary>What the server's start-up validation finds: the data annotations and the options' own checks.</summary>
    private static List<ValidationResult> Validate(WebhookOptions options)
    {
        var problems = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true);
        return problems;
    }
}
