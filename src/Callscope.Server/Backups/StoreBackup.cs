using System.Data.Common;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Callscope.Data;
using Callscope.Data.Dialects;
using Callscope.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace Callscope.Server.Backups;

/// <summary>
/// <c>callscope backup</c> and <c>callscope restore</c> (docs/operations.md, "Backups"). A backup is one zip archive:
/// a consistent copy of the SQLite database taken with SQLite's online backup while the server keeps running, the
/// Data Protection key ring that the database's secrets need, and <see cref="BackupManifest"/>. Each returns the
/// process's exit code and says why it refused; neither ever writes into a store in use.
/// </summary>
public static class StoreBackup
{
    /// <summary>Where a store's files are, as the server finds them from the same settings.</summary>
    private sealed record DataPaths(string Folder, string? Database, string KeyRing)
    {
        public static DataPaths Of(CallscopeOptions options)
        {
            var folder = Path.GetFullPath(options.DataDirectory);
            var connectionString = options.Database.ConnectionString;
            string? database = CallscopeDatabase.ParseProvider(options.Database.Provider) switch
            {
                DatabaseProvider.Sqlite when string.IsNullOrEmpty(connectionString) => Path.Combine(folder, SqliteDialect.FileName),
                DatabaseProvider.Sqlite => Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource),
                _ => null,
            };
            return new(folder, database, options.KeyRingDirectory);
        }
    }

    public static int Backup(CallscopeOptions options, string to, TimeProvider time, TextWriter output, TextWriter errors)
    {
        var paths = DataPaths.Of(options);
        var target = Path.GetFullPath(to);
        var targetFolder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(targetFolder))
        {
            return Refuse(errors, $"The folder {targetFolder} does not exist.");
        }

        if (paths.Database is { } database && !(File.Exists(database) && new FileInfo(database).Length > 0))
        {
            return Refuse(errors, $"There is no Callscope database at {database}: check Callscope:DataDirectory (or Callscope:Database:ConnectionString).");
        }

        var work = Path.Combine(targetFolder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        PrivateFiles.EnsureFolder(work);
        try
        {
            var files = new List<(BackupEntry Entry, string Source)>();
            string? schema = null;
            if (paths.Database is { } source)
            {
                var copy = Path.Combine(work, BackupManifest.DatabaseEntry);
                var clock = Stopwatch.StartNew();
                schema = CopyDatabase(source, copy);
                files.Add((BackupEntry.Of(BackupManifest.DatabaseEntry, copy), copy));
                output.WriteLine($"Copied the database ({new FileInfo(copy).Length / 1024.0 / 1024.0:0.0} MiB, schema {schema}) in {clock.Elapsed.TotalSeconds:0.00} s.");
            }
            else
            {
                errors.WriteLine("callscope: the PostgreSQL database is not in this archive: back it up with pg_dump or continuous archiving "
                    + "(point-in-time recovery); see docs/operations.md. The archive holds the key ring, which the database's secrets need.");
            }

            // After the database: every key that protected a secret in the copy existed before the copy was taken.
            var keys = Directory.Exists(paths.KeyRing) ? Directory.GetFiles(paths.KeyRing, "*.xml") : [];
            foreach (var key in keys.Order(StringComparer.Ordinal))
            {
                var kept = Path.Combine(work, Path.GetFileName(key));
                File.Copy(key, kept);
                files.Add((BackupEntry.Of(BackupManifest.KeysFolder + Path.GetFileName(key), kept), kept));
            }

            var manifest = new BackupManifest(BackupManifest.CallscopeFormat, BackupManifest.CurrentVersion, time.GetUtcNow(),
                paths.Database is null ? "postgres" : "sqlite", schema, [.. files.Select(f => f.Entry)]);
            var archive = Path.Combine(work, "archive.zip");
            PrivateFiles.EnsureFile(archive);
            using (var zip = ZipFile.Open(archive, ZipArchiveMode.Update))
            {
                foreach (var (entry, file) in files)
                {
                    zip.CreateEntryFromFile(file, entry.Name, CompressionLevel.Fastest);
                }

                using var manifestStream = zip.CreateEntry(BackupManifest.EntryName).Open();
                manifestStream.Write(manifest.ToJson());
            }

            // The archive replaces an older one at the same name whole or not at all.
            File.Move(archive, target, overwrite: true);
            output.WriteLine($"Backed up {(paths.Database is null ? "the key ring" : "the database and the key ring")} ({keys.Length} key(s)) to {target}.");
            return 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or DbException)
        {
            return Refuse(errors, $"The backup failed: {error.Message}");
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>
    /// Copies the live database with SQLite's online backup: one read transaction, so the copy is the store as of one
    /// commit. In write-ahead-log mode a reader never blocks the writer, so ingest goes on meanwhile. The copy is then
    /// made a single file (no write-ahead log) and checked. Returns the last migration the copy has.
    /// </summary>
    private static string CopyDatabase(string source, string copy)
    {
        PrivateFiles.EnsureFile(copy);
        using var from = OpenFile(source, SqliteOpenMode.ReadWrite);
        using var into = OpenFile(copy, SqliteOpenMode.ReadWrite);
        from.BackupDatabase(into);
        Execute(into, "PRAGMA journal_mode=DELETE");
        if (Check(into, "quick_check") is { } problem)
        {
            throw new IOException($"the copy failed SQLite's check: {problem}");
        }

        return AppliedMigrations(into).LastOrDefault() ?? "none";
    }

    public static int Restore(CallscopeOptions options, string from, TextWriter output, TextWriter errors)
    {
        var paths = DataPaths.Of(options);
        var archive = Path.GetFullPath(from);
        if (!File.Exists(archive))
        {
            return Refuse(errors, $"There is no file at {archive}.");
        }

        if (Directory.Exists(paths.Folder) && Directory.EnumerateFileSystemEntries(paths.Folder).Any())
        {
            return Refuse(errors, $"The data folder {paths.Folder} is not empty: restore only fills an empty (or missing) data folder, "
                + "so that a backup is never mixed with a store in use. Choose another Callscope:DataDirectory, or move this one away.");
        }

        if (paths.Database is { } database && File.Exists(database))
        {
            return Refuse(errors, $"The database {database} already exists: restore never overwrites a store.");
        }

        var work = Path.Combine(paths.Folder, $".restore-{Guid.NewGuid():N}");
        try
        {
            using var zip = ZipFile.OpenRead(archive);
            var read = ReadManifest(zip, archive, paths);
            if (read is not { Manifest: { } manifest })
            {
                return Refuse(errors, read.Problem!);
            }

            PrivateFiles.EnsureFolder(paths.Folder);
            PrivateFiles.EnsureFolder(work);
            foreach (var file in manifest.Files)
            {
                if (Extract(zip, file, Path.Combine(work, StagedName(file.Name))) is { } damage)
                {
                    return Refuse(errors, $"{archive} is damaged: {damage}");
                }
            }

            if (paths.Database is { } restored)
            {
                var staged = Path.Combine(work, BackupManifest.DatabaseEntry);
                if (CheckRestoredDatabase(staged) is { } damage)
                {
                    return Refuse(errors, $"{archive} cannot be restored: {damage}");
                }

                File.Move(staged, restored);
            }

            var keys = manifest.Files.Where(f => f.Name.StartsWith(BackupManifest.KeysFolder, StringComparison.Ordinal)).ToList();
            PrivateFiles.EnsureFolder(paths.KeyRing);
            foreach (var key in keys)
            {
                File.Move(Path.Combine(work, StagedName(key.Name)), Path.Combine(paths.KeyRing, key.Name[BackupManifest.KeysFolder.Length..]));
            }

            output.WriteLine(paths.Database is null
                ? $"Restored the key ring ({keys.Count} key(s)) of the backup of {manifest.CreatedAt:u} into {paths.Folder}; restore the PostgreSQL database with pg_restore."
                : $"Restored the database (schema {manifest.SchemaVersion}) and the key ring ({keys.Count} key(s)) of the backup of {manifest.CreatedAt:u} into {paths.Folder}.");
            return 0;
        }
        catch (InvalidDataException error)
        {
            return Refuse(errors, $"{archive} is not a Callscope backup or is damaged: {error.Message}");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or DbException)
        {
            return Refuse(errors, $"The restore failed: {error.Message}");
        }
        finally
        {
            TryDelete(work);
        }
    }

    private sealed record ManifestRead(BackupManifest? Manifest, string? Problem);

    /// <summary>The archive's manifest, or why this archive cannot be restored with these settings.</summary>
    private static ManifestRead ReadManifest(ZipArchive zip, string archive, DataPaths paths)
    {
        if (zip.GetEntry(BackupManifest.EntryName) is not { } entry)
        {
            return new(null, $"{archive} is not a Callscope backup: it has no {BackupManifest.EntryName}.");
        }

        using var stream = entry.Open();
        if (BackupManifest.TryParse(stream) is not { } manifest)
        {
            return new(null, $"{archive} is not a Callscope backup: its {BackupManifest.EntryName} is not one.");
        }

        if (manifest.FormatVersion > BackupManifest.CurrentVersion)
        {
            return new(null, $"{archive} was made by a newer Callscope (backup format {manifest.FormatVersion}); restore it with that version.");
        }

        var listed = manifest.Files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (manifest.Files.FirstOrDefault(f => !IsKnownName(f.Name)) is { } strange)
        {
            return new(null, $"{archive} is not a Callscope backup: it lists an unexpected file '{strange.Name}'.");
        }

        if (zip.Entries.FirstOrDefault(e => e.FullName != BackupManifest.EntryName && !listed.Contains(e.FullName)) is { } extra)
        {
            return new(null, $"{archive} is damaged: '{extra.FullName}' is not in its manifest.");
        }

        var hasDatabase = listed.Contains(BackupManifest.DatabaseEntry);
        return (manifest.Provider, paths.Database) switch
        {
            ("sqlite", null) => new(null, "This backup holds a SQLite store, but the settings name PostgreSQL: restore it with Callscope:Database:Provider=sqlite."),
            ("sqlite", _) when !hasDatabase => new(null, $"{archive} is damaged: it has no {BackupManifest.DatabaseEntry}."),
            ("postgres", not null) => new(null, "This backup holds only the key ring of a PostgreSQL store: restore the database with pg_restore, "
                + "and this archive with the settings that name that database (Callscope:Database:Provider=postgres)."),
            ("sqlite" or "postgres", _) => new(manifest, null),
            _ => new(null, $"{archive} is not a Callscope backup: unknown store '{manifest.Provider}'."),
        };
    }

    /// <summary>The database, or a key file directly under <c>keys/</c>: nothing an archive names can land elsewhere.</summary>
    private static bool IsKnownName(string name) =>
        name == BackupManifest.DatabaseEntry
        || (name.StartsWith(BackupManifest.KeysFolder, StringComparison.Ordinal)
            && name[BackupManifest.KeysFolder.Length..] is { Length: > 0 } key
            && key == Path.GetFileName(key) && key.EndsWith(".xml", StringComparison.Ordinal) && !key.StartsWith('.'));

    private static string StagedName(string name) => name.Replace('/', '_');

    /// <summary>Writes one entry out, checking its length and SHA-256 against the manifest; null when they match.</summary>
    private static string? Extract(ZipArchive zip, BackupEntry file, string destination)
    {
        if (zip.GetEntry(file.Name) is not { } entry)
        {
            return $"{file.Name} is missing.";
        }

        PrivateFiles.EnsureFile(destination);
        using (var input = entry.Open())
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var written = new FileStream(destination, FileMode.Truncate, FileAccess.Write))
        {
            var buffer = new byte[81920];
            long length = 0;
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                written.Write(buffer, 0, read);
                length += read;
            }

            if (length != file.Bytes || Convert.ToHexStringLower(hash.GetHashAndReset()) != file.Sha256)
            {
                return $"{file.Name} does not match its checksum.";
            }
        }

        return null;
    }

    /// <summary>Null when the restored database passes SQLite's integrity check and this build knows its schema.</summary>
    private static string? CheckRestoredDatabase(string file)
    {
        try
        {
            using var connection = OpenFile(file, SqliteOpenMode.ReadWrite);
            if (Check(connection, "integrity_check") is { } problem)
            {
                return $"the database fails SQLite's integrity check ({problem}).";
            }

            var known = KnownMigrations();
            if (AppliedMigrations(connection).FirstOrDefault(m => !known.Contains(m)) is { } newer)
            {
                return $"its database has migration {newer}, which this build of Callscope does not know: restore it with the version that made it.";
            }

            return null;
        }
        catch (SqliteException error)
        {
            return $"the database cannot be read ({error.Message}).";
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static SqliteConnection OpenFile(string file, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout={SqliteDialect.BusyTimeoutMs}");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Null when SQLite's check answers "ok", else its first finding.</summary>
    private static string? Check(SqliteConnection connection, string pragma)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        var result = command.ExecuteScalar() as string;
        return result == "ok" ? null : result ?? "no answer";
    }

    /// <summary>The migrations the store has (its DbUp journal), as short names such as <c>0014_webhooks</c>, in order.</summary>
    private static List<string> AppliedMigrations(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ScriptName FROM SchemaVersions";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(ShortName(reader.GetString(0)));
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    private static HashSet<string> KnownMigrations() => SqliteDialect.MigrationNames().Select(ShortName).ToHashSet(StringComparer.Ordinal);

    private static string ShortName(string script)
    {
        var name = script.EndsWith(".sql", StringComparison.Ordinal) ? script[..^4] : script;
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static int Refuse(TextWriter errors, string message)
    {
        errors.WriteLine($"callscope: {message}");
        return 1;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover staging folder holds nothing the store needs.
        }
    }
}
