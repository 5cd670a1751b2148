using System.Security.Cryptography;
using Callscope.Data.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>On first start, creates the first team and its admin, and prints how to sign in — the only time the secrets are shown.</summary>
public sealed class Bootstrap(TeamStore teams, IPasswordHasher<Member> hasher, IOptions<CallscopeOptions> options)
{
    public void EnsureFirstTeam(TextWriter console)
    {
        if (teams.Count() > 0)
        {
            return;
        }

        var preset = options.Value.Bootstrap;
        var key = preset.DeveloperKey ?? DeveloperKeys.Generate();
        var password = preset.AdminPassword ?? RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
        var team = teams.Create(preset.TeamName, key);
        teams.AddMember(team.Id, preset.AdminEmail, "Admin", hasher.HashPassword(null!, password), Roles.Admin);

        console.WriteLine();
        console.WriteLine("Callscope created your team. These secrets are shown only now:");
        console.WriteLine($"  team id:        {team.Id}");
        console.WriteLine($"  developer key:  {(preset.DeveloperKey is null ? key : "(as set in Callscope__Bootstrap__DeveloperKey)")}");
        console.WriteLine($"  sign in as:     {preset.AdminEmail}");
        console.WriteLine($"  password:       {(preset.AdminPassword is null ? password : "(as set in Callscope__Bootstrap__AdminPassword)")}");
        console.WriteLine();
    }
}
