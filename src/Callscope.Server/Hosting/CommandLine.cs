using System.CommandLine;
using Microsoft.Extensions.Options;
using System.Text.Json;
using Callscope.Data;
using Callscope.Data.Teams;
using Callscope.Server.Demo;

namespace Callscope.Server.Hosting;

/// <summary>
/// <c>callscope</c> serves by default; <c>callscope teams create --name NAME</c> and <c>callscope migrate</c> are for
/// operators. Arguments the commands do not know (<c>--urls</c>, configuration overrides) pass on to the host.
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
        var builder = WebApplication.CreateBuilder(args);
        builder.AddCallscope();
        return builder.Build();
    }

    private static void Serve(string[] args, bool demo)
    {
        var builder = WebApplication.CreateBuilder(args);
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
