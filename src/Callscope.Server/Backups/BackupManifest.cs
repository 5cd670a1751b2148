using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Callscope.Server.Backups;

/// <summary>
/// <c>manifest.json</c> in a backup archive: what made it and when, the store's schema, and a SHA-256 for every other
/// file in the archive, so that a restore can tell a damaged or foreign archive from a good one before it writes.
/// </summary>
public sealed record BackupManifest(
    string Format,
    int FormatVersion,
    DateTimeOffset CreatedAt,
    string Provider,
    string? SchemaVersion,
    IReadOnlyList<BackupEntry> Files)
{
    public const string EntryName = "manifest.json";

    /// <summary>Names this kind of archive; anything else is not a Callscope backup.</summary>
    public const string CallscopeFormat = "callscope-backup";

    public const int CurrentVersion = 1;

    /// <summary>The database's entry in an archive of a SQLite store.</summary>
    public const string DatabaseEntry = "callscope.db";

    /// <summary>The folder of the Data Protection key ring's files in an archive.</summary>
    public const string KeysFolder = "keys/";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The manifest in <paramref name="json"/>, or null when it is not one.</summary>
    public static BackupManifest? TryParse(Stream json)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(json, Json) is { Format: CallscopeFormat, Files: not null } manifest ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A file of the archive, its length and its SHA-256 (lowercase hex).</summary>
public sealed record BackupEntry(string Name, long Bytes, string Sha256)
{
    public static BackupEntry Of(string name, string file)
    {
        using var stream = File.OpenRead(file);
        return new(name, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
