using System.Text.Json;
using Callscope.Data;
using Callscope.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Server.Tests.Audit;

/// <summary>What the audit tests share: reading the log through the API, and every stored row as plain text.</summary>
internal static class AuditKit
{
    /// <summary>The team's entries, newest first, through <c>GET /api/v1/audit</c> with the given query.</summary>
    public static async Task<List<JsonElement>> EntriesAsync(HttpClient api, string query = "")
    {
        var page = await ApiAssert.GetAsync(api, "/api/v1/audit" + (query.Length > 0 ? "?" + query : ""));
        return [.. page.GetProperty("data").EnumerateArray()];
    }

    /// <summary>The one entry of this action; fails when there is none or more than one.</summary>
    public static async Task<JsonElement> OneAsync(HttpClient api, string action) =>
        Assert.Single(await EntriesAsync(api, "action=" + action));

    public static string Actor(JsonElement entry) => entry.GetProperty("actor").GetProperty("kind").GetString()!;

    public static string? ActorEmail(JsonElement entry) => entry.GetProperty("actor").GetProperty("email").GetString();

    public static string? ActorId(JsonElement entry) => entry.GetProperty("actor").GetProperty("id").GetString();

    public static string TargetType(JsonElement entry) => entry.GetProperty("target").GetProperty("type").GetString()!;

    public static string? TargetId(JsonElement entry) => entry.GetProperty("target").GetProperty("id").GetString();

    /// <summary>Every column of every row of the audit log, of every team, as one text to search for secrets.</summary>
    public static string AllRows(CallscopeApp app)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        var rows = connection.Query(
            "SELECT id, team_id, at, actor_kind, actor_id, actor_email, action, target_type, target_id, details, client_ip FROM audit_log");
        return string.Join('\n', rows.Select(r => string.Join('|', ((IDictionary<string, object?>)r).Values)));
    }
}
