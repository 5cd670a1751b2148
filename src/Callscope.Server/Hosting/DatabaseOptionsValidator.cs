using System.ComponentModel.DataAnnotations;
using Callscope.Data;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>An unknown store stops the start with a message naming it; there is no silent fallback.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options)
    {
        if (CallscopeDatabase.SettingsProblem(options.Database.Provider, options.Database.ConnectionString) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        // Nested options are not checked by their annotations: the range is read from the property's own attribute.
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options.Database, new ValidationContext(options.Database), results, validateAllProperties: true)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(results.Select(r => $"Callscope:Database: {r.ErrorMessage}"));
    }
}
