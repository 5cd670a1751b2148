namespace Callscope.Data;

/// <summary>
/// Keeps Callscope's local state private to the user the service runs as: folders 0700, files 0600. New ones are
/// created with those modes; existing ones lose group's and others' access when Callscope starts. Nothing on Windows.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates the folder 0700 (missing parents get the usual mode), or takes group's and others' access away from an
    /// existing one. A folder shared on purpose (one with the sticky bit, such as /tmp) is left as it is, and so is one this
    /// user may not change.
    /// </summary>
    public static void EnsureFolder(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnlyFolder);
            return;
        }

        var mode = File.GetUnixFileMode(directory);
        if ((mode & GroupAndOthers) != 0 && (mode & UnixFileMode.StickyBit) == 0)
        {
            TrySetMode(directory, mode & ~GroupAndOthers);
        }
    }

    /// <summary>
    /// Creates the file empty and 0600 when it does not exist (so that whoever opens it next finds it private), or
    /// takes group's and others' access away from it.
    /// </summary>
    public static void EnsureFile(string file)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(file))
        {
            try
            {
                using var created = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another process created it meanwhile; it is made private below.
            }
        }

        Tighten(file);
    }

    /// <summary>Takes group's and others' access away from a file if it exists; creates nothing.</summary>
    public static void Tighten(string file)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(file))
        {
            return;
        }

        var mode = File.GetUnixFileMode(file);
        if ((mode & GroupAndOthers) != 0)
        {
            TrySetMode(file, mode & ~GroupAndOthers);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void TrySetMode(string path, UnixFileMode mode)
    {
        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (UnauthorizedAccessException)
        {
            // Owned by another user: the operator's choice stands.
        }
    }
}
