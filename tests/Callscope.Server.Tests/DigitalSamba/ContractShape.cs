using System.Text.Json;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>A field of a documented example: its path (<c>a.b</c>, <c>a[]</c> for an array's items) and JSON kind.</summary>
public sealed record ContractField(string Path, string Kind);

/// <summary>An operation Callscope serves from Digital Samba's document, with the fields of its documented answer.</summary>
public sealed record ContractOperation(string Method, string Path, IReadOnlyList<ContractField> Fields)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>The hand-written part of the contract: where Callscope may answer null, and how an answer is checked.</summary>
public static partial class DigitalSambaContract
{
    /// <summary>
    /// Numbers Callscope answers null for: a room's participant limit while the room sets none (0 would be a limit).
    /// Texts and nested records may be null anywhere (no source, or a time not reached yet, as a live session's end).
    /// </summary>
    public static readonly IReadOnlySet<string> NullableNumbers = new HashSet<string>(StringComparer.Ordinal) { "max_participants", "room_max_participants" };

    /// <summary>
    /// Where Callscope keeps its own type on purpose: SPEC 4.1 makes every list's <c>total_count</c> a number, while the
    /// document's examples show it as a string on some lists and as a number on others (the live rooms).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KindOverrides = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["total_count"] = "number",
    };

    /// <summary>Every way the answer differs from the operation's documented fields; empty when it carries them all.</summary>
    public static IReadOnlyList<string> Mismatches(ContractOperation operation, JsonElement answer)
    {
        var problems = new List<string>();
        foreach (var field in operation.Fields)
        {
            var kind = KindOverrides.GetValueOrDefault(field.Path, field.Kind);
            foreach (var (where, value) in Resolve(answer, field.Path))
            {
                if (value is not { } found)
                {
                    problems.Add($"{where}: missing");
                }
                else if (!Fits(kind, found, field.Path))
                {
                    problems.Add($"{where}: {found.ValueKind} where the document shows {kind}");
                }
            }
        }

        return problems;
    }

    /// <summary>The values a path names (one per array item on the way), or null where a member is missing.</summary>
    public static IEnumerable<(string Where, JsonElement? Value)> Resolve(JsonElement root, string path)
    {
        IEnumerable<(string Where, JsonElement? Value)> current = [("$", root)];
        var steps = path == "[]" ? ["[]"] : path.Split('.');
        foreach (var step in steps)
        {
            var name = step.EndsWith("[]", StringComparison.Ordinal) ? step[..^2] : step;
            var each = step.EndsWith("[]", StringComparison.Ordinal);
            current = current.SelectMany(c => Step(c, name, each)).ToList();
        }

        return current;
    }

    private static IEnumerable<(string, JsonElement?)> Step((string Where, JsonElement? Value) at, string name, bool each)
    {
        // A missing or null parent was reported (or allowed) at its own path: its members are not asked for.
        if (at.Value is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        var where = name.Length == 0 ? at.Where : $"{at.Where}.{name}";
        JsonElement member;
        if (name.Length == 0)
        {
            member = value;
        }
        else if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out member))
        {
            yield return (where, null);
            yield break;
        }

        if (!each)
        {
            yield return (where, member);
            yield break;
        }

        if (member.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var index = 0;
        foreach (var item in member.EnumerateArray())
        {
            yield return ($"{where}[{index++}]", item);
        }
    }

    private static bool Fits(string kind, JsonElement value, string path)
    {
        var member = path[(path.LastIndexOf('.') + 1)..];
        return (kind, value.ValueKind) switch
        {
            ("any", _) => true,
            ("string", JsonValueKind.String or JsonValueKind.Null) => true,
            ("object", JsonValueKind.Object or JsonValueKind.Null) => true,
            ("number", JsonValueKind.Number) => true,
            ("number", JsonValueKind.Null) => NullableNumbers.Contains(member),
            ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
            ("array", JsonValueKind.Array) => true,
            _ => false,
        };
    }
}
