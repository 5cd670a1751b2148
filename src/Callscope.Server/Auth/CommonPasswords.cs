using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Callscope.Server.Auth;

/// <summary>
/// The passwords people pick most often (the shipped list <c>common-passwords.txt</c>): a password on it is refused
/// wherever a password is set, whatever its letter case, because it is among the first an attacker tries.
/// </summary>
public static class CommonPasswords
{
    private static readonly Lazy<HashSet<string>> List = new(Load);

    public const string Message = "This password is one of the most commonly used ones; choose another.";

    public static bool IsCommon(string password) => List.Value.Contains(password.ToLowerInvariant());

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Callscope.Server.Auth.common-passwords.txt")
            ?? throw new InvalidOperationException("The list of common passwords is missing from the build.");
        using var reader = new StreamReader(stream);
        var list = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                list.Add(line.ToLowerInvariant());
            }
        }

        return list;
    }
}

/// <summary>Refuses a password from <see cref="CommonPasswords"/>; an empty value is left to <c>[Required]</c>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class NotCommonPasswordAttribute : ValidationAttribute
{
    public NotCommonPasswordAttribute()
        : base(CommonPasswords.Message)
    {
    }

    public override bool IsValid(object? value) => value is not string password || password.Length == 0 || !CommonPasswords.IsCommon(password);
}
