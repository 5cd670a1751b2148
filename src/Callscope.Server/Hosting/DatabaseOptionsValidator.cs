using Callscope.Data;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>An unknown store stops the start with a message naming it; there is no silent fallback.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options) =>
        CallscopeDatabase.SettingsProblem(options.Database.Provider, options.Database.ConnectionString) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
