using System.Runtime.InteropServices;

namespace Callscope.Data;

/// <summary>
/// The C allocator's side of the process: SQLite's page caches and the runtime's own tables live there, not in the
/// managed heap. glibc keeps what is freed in its arenas for the next allocation, so memory SQLite gives up stays
/// resident until the allocator is asked to return it. <see cref="Trim"/> asks; elsewhere (another C library, another
/// system) it does nothing.
/// </summary>
public static class NativeHeap
{
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// Returns the allocator's free pages to the system: a walk of its arenas, a few milliseconds. Whether the allocator
    /// could be asked.
    /// </summary>
    public static bool Trim()
    {
        if (Volatile.Read(ref unavailable))
        {
            return false;
        }

        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception error) when (error is EntryPointNotFoundException or DllNotFoundException)
        {
            // musl and other C libraries have no malloc_trim: nothing to ask.
            Volatile.Write(ref unavailable, true);
            return false;
        }
    }

    // A plain DllImport: the arguments are blittable, so no marshalling code is generated either way.
    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
