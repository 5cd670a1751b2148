using Callscope.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Callscope.Server.Tests.Hosting;

/// <summary>The data folder and everything Callscope keeps in it are private to the service's user (Unix modes).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DataFolderTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_data_folder_its_database_log_index_and_key_ring_are_private()
    {
        var parent = Path.Combine(Path.GetTempPath(), "callscope-tests", "private-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(parent, "nested", "data");
        try
        {
            await using var app = new CallscopeApp(dataDirectory: data, keepData: true, provider: "sqlite");
            await UseEverythingAsync(app);
            AssertPrivate(data);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task An_existing_install_created_with_open_modes_is_made_private_at_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "callscope-tests", "open-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = new CallscopeApp(dataDirectory: data, keepData: true, provider: "sqlite"))
            {
                await UseEverythingAsync(first);
            }

            SqliteConnection.ClearAllPools();
            File.WriteAllBytes(Path.Combine(data, "callscope.db-journal"), []);
            foreach (var entry in Entries(data).Prepend(data))
            {
                File.SetUnixFileMode(entry, Directory.Exists(entry) ? Folder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : File600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            await using (var second = new CallscopeApp(dataDirectory: data, keepData: true, provider: "sqlite"))
            {
                await UseEverythingAsync(second);
                AssertPrivate(data);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Writes events (the write-ahead log and its index), and signs a form (the key ring).</summary>
    private static async Task UseEverythingAsync(CallscopeApp app)
    {
        await Events.PostAsync(app.Api(), Events.Joined("standup", "ana", CallscopeApp.Start));
        await app.SettleAsync();
        var signIn = await app.CreateClient().GetStringAsync("/signin", Cancellation);
        Assert.Contains("__RequestVerificationToken", signIn, StringComparison.Ordinal);
    }

    private static void AssertPrivate(string data)
    {
        Assert.Equal(Folder, File.GetUnixFileMode(data));
        foreach (var expected in new[] { "callscope.db", "callscope.db-wal", "callscope.db-shm", "keys" })
        {
            Assert.True(Path.Exists(Path.Combine(data, expected)), $"{expected} should be in the data folder");
        }

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "keys")));
        foreach (var entry in Entries(data))
        {
            Assert.True((Directory.Exists(entry) ? Folder : File600) == File.GetUnixFileMode(entry),
                $"{Path.GetRelativePath(data, entry)} is {File.GetUnixFileMode(entry)}");
        }
    }

    private static IEnumerable<string> Entries(string folder) => Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories);
}
