using System.CommandLine;
using Microsoft.Extensions.Options;
using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Teams;
using Callscope.Server.Backups;
using Callscope.Server.Demo;

namespace Callscope.Server.Hosting;

/// <summary>
/// <c>callscope</c> serves by default; <c>callscope teams create --name NAME</c>, <c>callscope migrate</c>,
/// <c>callscope backup --to FILE</c> and <c>callscope restore --from FILE</c> are for operators. Arguments the commands do not know (<c>--urls</c>, configuration overrides) pass on to the host.
/// </summary>
public static class CommandLine
{
    public static int Run(string[] args)
    {
        var demo = new Option<bool>("--demo") { Description = "Fill the first team with realistic rooms and sessions, some of them live." };
        var root = new RootCommand("Callscope: what happened in your calls.") { demo };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(result =>
        {
            Serve(result.UnmatchedTokens.ToArray(), result.GetValue(demo));
            return 0;
        });

        var name = new Option<string>("--name") { Description = "The team's name.", Required = true };
        var create = new Command("create", "Create a team and print its id and developer key as JSON.") { name };
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction(result =>
        {
            using var app = BuildHost(result.UnmatchedTokens.ToArray());
            app.Services.GetRequiredService<CallscopeDatabase>().Migrate();
            var key = DeveloperKeys.Generate();
            var team = app.Services.GetRequiredService<TeamStore>().Create(result.GetValue(name)!, key);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = team.Id.ToString(), ["developer_key"] = key }));
            return 0;
        });
        root.Subcommands.Add(new Command("teams", "Manage teams.") { create });

        var migrate = new Command("migrate", "Apply pending database migrations and exit.");
        migrate.TreatUnmatchedTokensAsErrors = false;
        migrate.SetAction(result =>
        {
            using var app = BuildHost(result.UnmatchedTokens.ToArray());
            var applied = app.Services.GetRequiredService<CallscopeDatabase>().Migrate();
            Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied {applied.Count} migration(s).");
            return 0;
        });
        root.Subcommands.Add(migrate);

        var to = new Option<string>("--to") { Description = "The archive to write (replaced whole if it exists).", Required = true };
        var backup = new Command("backup", "Copy the store and its key ring into one archive while the server runs (SQLite; on PostgreSQL the key ring only).") { to };
        backup.TreatUnmatchedTokensAsErrors = false;
        backup.SetAction(result =>
        {
            using var app = BuildHost(result.UnmatchedTokens.ToArray());
            return StoreBackup.Backup(app.Services.GetRequiredService<IOptions<CallscopeOptions>>().Value, result.GetValue(to)!,
                TimeProvider.System, Console.Out, Console.Error);
        });
        root.Subcommands.Add(backup);

        var from = new Option<string>("--from") { Description = "The archive made by callscope backup.", Required = true };
        var restore = new Command("restore", "Put a backup into an empty data folder.") { from };
        restore.TreatUnmatchedTokensAsErrors = false;
        restore.SetAction(result =>
        {
            using var app = BuildHost(result.UnmatchedTokens.ToArray());
            return StoreBackup.Restore(app.Services.GetRequiredService<IOptions<CallscopeOptions>>().Value, result.GetValue(from)!,
                Console.Out, Console.Error);
        });
        root.Subcommands.Add(restore);

        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OptionsValidationException error)
        {
            // Configuration mistakes are the operator's to fix: say what is wrong, without a stack trace.
            Console.Error.WriteLine($"callscope: {string.Join(" ", error.Failures)}");
            return 2;
        }
    }

    private static WebApplication BuildHost(string[] args)
    {
        var builder = CreateBuilder(args);
        builder.AddCallscope();
        return builder.Build();
    }

    /// <summary>
    /// The host reads its own files (appsettings.json, wwwroot) from the application's folder whatever the working
    /// directory is: a service manager may start <c>dotnet /opt/callscope/callscope.dll</c> from the data folder. An
    /// explicit content root (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>) still wins. The data folder is not
    /// the content root: a relative one is relative to the working directory (see <see cref="CallscopeOptions"/>).
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var chosen = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = string.IsNullOrEmpty(chosen) ? AppContext.BaseDirectory : null,
        });

        // A build output (dotnet run) has no wwwroot of its own but a manifest pointing at the project's; a published
        // folder has wwwroot and no manifest, and there this does nothing. Development does it by itself.
        if (!builder.Environment.IsDevelopment())
        {
            builder.WebHost.UseStaticWebAssets();
        }

        return builder;
    }

    private static void Serve(string[] args, bool demo)
    {
        var builder = CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080");
        builder.AddCallscope();
        if (demo)
        {
            builder.Services.AddHostedService<DemoData>();
        }

        var app = builder.Build();
        app.UseCallscope();
        app.Run();
    }
}
