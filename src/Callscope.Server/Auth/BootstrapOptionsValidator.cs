using System.ComponentModel.DataAnnotations;
using Callscope.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Auth;

/// <summary>
/// Checks the presets of the first team (<c>Callscope__Bootstrap__...</c>) at start: the admin password at least 8
/// characters and not a common one, the developer key at least 16 characters, a valid admin e-mail address.
/// </summary>
public sealed class BootstrapOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options.Bootstrap, new ValidationContext(options.Bootstrap), errors, validateAllProperties: true);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"Callscope:Bootstrap:{string.Join(',', e.MemberNames)}: {e.ErrorMessage}"));
    }
}
