using Callscope.Data;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>
/// An unknown store stops the start with a message naming it; there is no silent fallback. The section's other settings
/// are checked against their annotations.
/// </summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options)
    {
        if (CallscopeDatabase.SettingsProblem(options.Database.Provider, options.Database.ConnectionString) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        return SectionValidation.Validate(options.Database, "Database");
    }
}
