using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.LiveKit;
using Microsoft.Data.Sqlite;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// <c>callscope backup</c> and <c>callscope restore</c>, run as the real executable beside a real server process on
/// SQLite (whatever store the suite runs on: the online copy is SQLite's). A backup taken while clients keep ingesting
/// holds every event acknowledged before it started, its sessions are what those very events give on a fresh store,
/// and the LiveKit secret saved before it is still readable after the restore.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private const string LiveKitKey = "APIbackupkey";
    private const string LiveKitSecret = "backup-test-secret-0123456789abcdefghijklmnop";

    private static readonly Dictionary<string, string> Sqlite = new()
    {
        ["Callscope__Database__Provider"] = "sqlite",
        ["Callscope__Database__ConnectionString"] = string.Empty,
    };

    private readonly string folder = Path.Combine(Path.GetTempPath(), "callscope-tests", "backup-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public BackupTests() => Directory.CreateDirectory(folder);

    [Fact]
    public async Task A_backup_during_ingest_restores_every_event_acknowledged_before_it_with_the_sessions_those_events_give()
    {
        using var source = new ServerData();
        using var restored = new ServerData();
        using var replayed = new ServerData();
        var archive = Path.Combine(folder, "callscope-backup.zip");
        var traffic = new CrashTraffic(clients: 4, DateTimeOffset.UtcNow.AddHours(-2));
        List<JsonObject> acknowledgedBefore;

        await using (var server = await ServerProcess.StartAsync(source, Cancellation, Sqlite))
        {
            using (var api = server.Api())
            {
                using var connected = await api.PutAsJsonAsync("/api/v1/integrations/livekit", new { api_key = LiveKitKey, api_secret = LiveKitSecret }, Cancellation);
                Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
            var sending = traffic.SendUntilStoppedAsync(server, stop.Token);
            await WaitForAsync(() => traffic.AcknowledgedSoFar().Count >= 3000, server);

            acknowledgedBefore = traffic.AcknowledgedSoFar();
            var clock = Stopwatch.StartNew();
            var (exit, output) = await CallscopeCommand.RunAsync(["backup", "--to", archive], source.Directory);
            var during = traffic.AcknowledgedSoFar().Count - acknowledgedBefore.Count;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{acknowledgedBefore.Count} events acknowledged before the backup; the backup command took {clock.ElapsedMilliseconds} ms, "
                + $"during which {during} more were acknowledged.\n{output}");
            Assert.True(exit == 0, output);
            Assert.True(during > 0, "ingest should go on while the backup runs");

            await stop.CancelAsync();
            await sending;
        }

        var (restoreExit, restoreOutput) = await CallscopeCommand.RunAsync(["restore", "--from", archive], restored.Directory);
        Assert.True(restoreExit == 0, restoreOutput);

        var inBackup = StoredEventIds(Path.Combine(restored.Directory, "callscope.db"));
        var missing = acknowledgedBefore.Select(Id).Where(id => !inBackup.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} events acknowledged before the backup are not in it, e.g. {string.Join(", ", missing.Take(5))}");

        // The law's result in the restored store must be what its own events give from scratch: replay exactly those
        // events, as they were sent, into a fresh store and compare every room's sessions and participants.
        var replay = inBackup.Select(id => traffic.SentEvent(id) ?? throw new InvalidOperationException($"the backup holds {id}, which was never sent")).ToList();
        await using var restoredServer = await ServerProcess.StartAsync(restored, Cancellation, Sqlite);
        await using var replayServer = await ServerProcess.StartAsync(replayed, Cancellation, Sqlite);
        using var restoredApi = restoredServer.Api();
        using var replayApi = replayServer.Api();
        foreach (var chunk in replay.Chunk(1000))
        {
            var posted = await Events.PostAsync(replayApi, chunk);
            Assert.Equal(chunk.Length, posted.GetProperty("accepted").GetInt32());
        }

        foreach (var room in traffic.Rooms)
        {
            var expected = await DescribeRoomAsync(replayApi, room);
            Assert.Equal(expected, await DescribeRoomAsync(restoredApi, room));
        }

        foreach (var chunk in acknowledgedBefore.Chunk(1000))
        {
            var again = await Events.PostAsync(restoredApi, chunk);
            Assert.Equal(0, again.GetProperty("accepted").GetInt32());
            Assert.Equal(chunk.Length, again.GetProperty("duplicates").GetInt32());
        }

        // The secret is readable: a body signed with it passes the signature check and is then refused as no event
        // (400); with any other secret it would be refused at the signature (401).
        Assert.Equal(HttpStatusCode.BadRequest, await PostSignedToLiveKitAsync(restoredServer, LiveKitSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostSignedToLiveKitAsync(restoredServer, LiveKitSecret + "-wrong"));
    }

    [Fact]
    public async Task Restore_refuses_a_data_folder_that_is_not_empty_and_leaves_it_as_it_was()
    {
        var archive = await MakeBackupAsync();
        var target = Path.Combine(folder, "target");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "notes.txt"), "mine", Cancellation);

        var (exit, output) = await CallscopeCommand.RunAsync(["restore", "--from", archive], target);

        Assert.Equal(1, exit);
        Assert.Contains("is not empty", output, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Restore_refuses_a_damaged_archive_and_writes_no_store()
    {
        var archive = await MakeBackupAsync();
        var bytes = await File.ReadAllBytesAsync(archive, Cancellation);
        var damaged = Path.Combine(folder, "damaged.zip");
        var (offset, length) = DatabaseDataRange(archive);
        for (var i = offset + (length / 2); i < offset + (length / 2) + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(damaged, bytes, Cancellation);
        var truncated = Path.Combine(folder, "truncated.zip");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)], Cancellation);

        foreach (var file in new[] { damaged, truncated })
        {
            var target = Path.Combine(folder, "target-" + Path.GetFileNameWithoutExtension(file));
            var (exit, output) = await CallscopeCommand.RunAsync(["restore", "--from", file], target);

            Assert.True(exit == 1, output);
            Assert.Contains("damaged", output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(target, "callscope.db")), $"{file}: nothing should be restored");
            Assert.Empty(Directory.Exists(target) ? Directory.GetFileSystemEntries(target) : []);
        }
    }

    [Fact]
    public async Task Restore_refuses_a_file_that_is_not_a_Callscope_backup()
    {
        var foreign = Path.Combine(folder, "photos.zip");
        using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("callscope.db").Open();
            entry.Write("not a database"u8);
        }

        var text = Path.Combine(folder, "notes.txt");
        await File.WriteAllTextAsync(text, "hello", Cancellation);

        foreach (var file in new[] { foreign, text })
        {
            var target = Path.Combine(folder, "target-" + Path.GetFileNameWithoutExtension(file));
            var (exit, output) = await CallscopeCommand.RunAsync(["restore", "--from", file], target);

            Assert.True(exit == 1, output);
            Assert.Contains("not a Callscope backup", output, StringComparison.Ordinal);
            Assert.Empty(Directory.Exists(target) ? Directory.GetFileSystemEntries(target) : []);
        }
    }

    [Fact]
    public async Task On_PostgreSQL_backup_keeps_the_key_ring_and_says_the_database_is_pg_dumps()
    {
        // The database is never opened for this: a connection string naming no server shows it.
        (string, string)[] postgres = [("Callscope__Database__Provider", "postgres"), ("Callscope__Database__ConnectionString", "Host=192.0.2.1;Database=none")];
        var data = Path.Combine(folder, "node");
        Directory.CreateDirectory(Path.Combine(data, "keys"));
        await File.WriteAllTextAsync(Path.Combine(data, "keys", "key-1.xml"), "<key id=\"1\" />", Cancellation);
        var archive = Path.Combine(folder, "keys.zip");

        var (exit, output) = await CallscopeCommand.RunAsync(["backup", "--to", archive], data, postgres);

        Assert.True(exit == 0, output);
        Assert.Contains("pg_dump", output, StringComparison.Ordinal);
        using (var zip = ZipFile.OpenRead(archive))
        {
            Assert.Equal(["keys/key-1.xml", "manifest.json"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        }

        var intoSqlite = Path.Combine(folder, "sqlite");
        var (refused, refusal) = await CallscopeCommand.RunAsync(["restore", "--from", archive], intoSqlite);
        Assert.True(refused == 1, refusal);
        Assert.Contains("only the key ring of a PostgreSQL store", refusal, StringComparison.Ordinal);

        var otherNode = Path.Combine(folder, "other-node");
        var (restored, restoreOutput) = await CallscopeCommand.RunAsync(["restore", "--from", archive], otherNode, postgres);
        Assert.True(restored == 0, restoreOutput);
        Assert.Equal("<key id=\"1\" />", await File.ReadAllTextAsync(Path.Combine(otherNode, "keys", "key-1.xml"), Cancellation));
        Assert.Equal(["keys"], Directory.GetFileSystemEntries(otherNode).Select(Path.GetFileName));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A backup of a freshly migrated store, made without a server.</summary>
    private async Task<string> MakeBackupAsync()
    {
        var data = Path.Combine(folder, "source");
        var (migrated, migrateOutput) = await CallscopeCommand.RunAsync(["migrate"], data);
        Assert.True(migrated == 0, migrateOutput);
        var archive = Path.Combine(folder, "backup.zip");
        var (exit, output) = await CallscopeCommand.RunAsync(["backup", "--to", archive], data);
        Assert.True(exit == 0, output);
        return archive;
    }

    /// <summary>Where the database's compressed bytes lie in the archive (after its local header).</summary>
    private static (int Offset, int Length) DatabaseDataRange(string archive)
    {
        var bytes = File.ReadAllBytes(archive);
        var name = Encoding.ASCII.GetBytes("callscope.db");
        for (var i = 0; i < bytes.Length - 30; i++)
        {
            // A local file header: PK\x03\x04, with the name at offset 30.
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                var compressed = BitConverter.ToInt32(bytes, i + 18);
                var extra = BitConverter.ToUInt16(bytes, i + 28);
                return (i + 30 + name.Length + extra, compressed);
            }
        }

        throw new InvalidOperationException("the archive has no callscope.db");
    }

    private static string Id(JsonObject e) => e["id"]!.GetValue<string>();

    private static HashSet<string> StoredEventIds(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM events";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>A room's sessions and participants, in a form that leaves out ids each store makes up on its own.</summary>
    private static async Task<string> DescribeRoomAsync(HttpClient api, string room)
    {
        var sessions = await ApiPages.ListAllAsync(api, $"/api/v1/rooms/{room}/sessions", Cancellation);
        var starts = sessions.ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("start_time").GetString());
        var text = new StringBuilder();
        foreach (var s in sessions.OrderBy(s => s.GetProperty("start_time").GetString(), StringComparer.Ordinal))
        {
            text.AppendLine($"session {s.GetProperty("start_time")} to {s.GetProperty("end_time")} live={s.GetProperty("live")} "
                + $"participants {s.GetProperty("participants_live")}/{s.GetProperty("participants_total")} max {s.GetProperty("participants_max")}");
        }

        foreach (var p in (await ApiPages.ListAllAsync(api, $"/api/v1/rooms/{room}/participants", Cancellation)).OrderBy(p => p.GetProperty("external_id").GetString(), StringComparer.Ordinal))
        {
            text.AppendLine($"participant {p.GetProperty("external_id")} of session {starts[p.GetProperty("session_id").GetString()!]} "
                + $"joined {p.GetProperty("join_time")} left {p.GetProperty("leave_time")} live={p.GetProperty("live")}");
        }

        return text.ToString();
    }

    /// <summary>A body that is no LiveKit event, signed as LiveKit signs its webhooks with the given secret.</summary>
    private static async Task<HttpStatusCode> PostSignedToLiveKitAsync(ServerProcess server, string secret)
    {
        var body = "[\"not\", \"an event\"]"u8.ToArray();
        var token = LiveKitSignature.Sign(LiveKitKey, secret, body, DateTimeOffset.UtcNow);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest/livekit") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/webhook+json");
        request.Headers.TryAddWithoutValidation("Authorization", token);
        using var response = await client.SendAsync(request, Cancellation);
        return response.StatusCode;
    }

    /// <summary>Polls with a bounded wait while clients send.</summary>
    private static async Task WaitForAsync(Func<bool> condition, ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the clients did not get far enough:\n{server.RecentOutput()}");
            await Task.Delay(50, Cancellation);
        }
    }
}
