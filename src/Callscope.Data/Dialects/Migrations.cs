using DbUp.Builder;

namespace Callscope.Data.Dialects;

/// <summary>Runs a store's embedded migration scripts, each in a transaction of its own.</summary>
internal static class Migrations
{
    /// <returns>The names of the scripts it ran.</returns>
    public static IReadOnlyList<string> Run(UpgradeEngineBuilder builder)
    {
        var result = builder.WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migrating the database failed at {result.ErrorScript?.Name}.", result.Error);
        }

        return [.. result.Scripts.Select(s => s.Name)];
    }
}
