using Callscope.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Auth;

/// <summary>
/// Checks the presets of the first team (<c>Callscope__Bootstrap__...</c>) at start: the admin password at least 8
/// characters and not a common one, the developer key at least 16 characters, a valid admin e-mail address.
/// </summary>
public sealed class BootstrapOptionsValidator : IValidateOptions<CallscopeOptions>
{
    public ValidateOptionsResult Validate(string? name, CallscopeOptions options) => SectionValidation.Validate(options.Bootstrap, "Bootstrap");
}
