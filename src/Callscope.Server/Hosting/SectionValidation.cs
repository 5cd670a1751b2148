using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>
/// The data annotations of one nested section of <see cref="CallscopeOptions"/>: <c>ValidateDataAnnotations</c> checks
/// the outer object's own properties only, not the sections it holds.
/// </summary>
public static class SectionValidation
{
    /// <summary>Each failure names the setting as <c>Callscope:Section:Key</c>.</summary>
    public static ValidateOptionsResult Validate(object section, string name)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(section, new ValidationContext(section), errors, validateAllProperties: true);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"Callscope:{name}:{string.Join(',', e.MemberNames)}: {e.ErrorMessage}"));
    }
}
