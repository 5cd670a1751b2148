using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>An unknown store stops the start with a message naming it; there is no silent fallback.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options)
    {
        var provider = options.Database.Provider;
        if (provider.ToLowerInvariant() is not ("sqlite" or "postgres" or "postgresql"))
        {
            return ValidateOptionsResult.Fail($"Unknown database provider '{provider}' in Callscope:Database:Provider: use 'sqlite' (the default) or 'postgres'.");
        }

        return provider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(options.Database.ConnectionString)
            ? ValidateOptionsResult.Fail("Callscope:Database:ConnectionString is required with the postgres provider.")
            : ValidateOptionsResult.Success;
    }
}
