namespace Callscope.Dashboard.Tests.Infrastructure;

/// <summary>Screenshots go to the repository's docs/screenshots, where the docs and the README show them.</summary>
public static class Screenshots
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Callscope.slnx")))
        {
            directory = directory.Parent;
        }

        var folder = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("The repository root (Callscope.slnx) was not found."), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    });

    public static string PathOf(string name) => Path.Combine(Folder.Value, name + ".png");
}
