using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Teams;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Callscope.Server.Tests;

/// <summary>The operator commands, run as the real executable.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "callscope-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Teams_create_prints_the_new_teams_id_and_a_developer_key_that_works()
    {
        var (exit, output) = await RunAsync("teams", "create", "--name", "Acme Video");

        Assert.Equal(0, exit);
        var created = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var key = created.GetProperty("developer_key").GetString()!;
        var team = new TeamStore(CallscopeDatabase.InDirectory(folder), TimeProvider.System).FindByKey(key);
        Assert.NotNull(team);
        Assert.Equal(created.GetProperty("id").GetString(), team.Id.ToString());
        Assert.Equal("Acme Video", team.Name);
    }

    [Fact]
    public async Task Migrate_applies_the_migrations_once()
    {
        var (first, firstOutput) = await RunAsync("migrate");
        var (second, secondOutput) = await RunAsync("migrate");

        Assert.Equal(0, first);
        Assert.Contains("Applied", firstOutput, StringComparison.Ordinal);
        Assert.Equal(0, second);
        Assert.Contains("up to date", secondOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_database_provider_stops_the_start_with_a_clear_message()
    {
        var (exit, output) = await RunAsync(["migrate"], ("Callscope__Database__Provider", "mongodb"));

        Assert.NotEqual(0, exit);
        Assert.Contains("Unknown database provider 'mongodb'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_page_cache_out_of_range_stops_the_start_with_a_message_naming_the_key()
    {
        var (exit, output) = await RunAsync(["migrate"], ("Callscope__Database__ReaderPageCacheMib", "0"));

        Assert.NotEqual(0, exit);
        Assert.Contains("ReaderPageCacheMib", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => RunAsync(args, []);

    private Task<(int Exit, string Output)> RunAsync(string[] args, params (string Name, string Value)[] environment) =>
        CallscopeCommand.RunAsync(args, folder, environment);
}
