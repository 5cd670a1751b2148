using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Data.Audit;
using Callscope.Data.Sessions;
using Callscope.Server.Api;
using Callscope.Server.Audit;

namespace Callscope.Server.Dashboard.Pages.Audit;

/// <summary>
/// The team's audit log (admins only, by the folder's convention), newest first, filtered as <c>GET /api/v1/audit</c>
/// filters it: by action, by actor, and by days.
/// </summary>
public sealed class AuditModel(AuditStore store) : DashboardPage
{
    public const int PageSize = 50;

    public IReadOnlyList<AuditRecord> Entries { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public string? Action { get; private set; }

    public string Actor { get; private set; } = "";

    public string From { get; private set; } = "";

    public string To { get; private set; } = "";

    /// <summary>Why the filters were refused, one reason a line; empty when they were not.</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public bool Filtered => Action is not null || Actor.Length > 0 || From.Length > 0 || To.Length > 0;

    public void OnGet()
    {
        Action = Request.Query["action"].ToString() is { Length: > 0 } action ? action : null;
        Actor = Request.Query["actor"].ToString();
        From = Request.Query["date_start"].ToString();
        To = Request.Query["date_end"].ToString();
        Pager = new Pager(Request, PageSize);

        // The filters are read with the API's rules, a field the form sent empty as not given; the page number is the pager's.
        var query = new QueryReader(Request.Query, emptyIsAbsent: true);
        var filter = AuditEndpoints.ReadFilter(query);
        if (!query.Valid)
        {
            Errors = [.. query.Errors.Select(e => e.Message)];
            Pager.Of(0);
            return;
        }

        var page = store.List(Team, filter, new Paging(PageSize, Pager.Offset));
        Pager.Of(page.TotalCount);
        Entries = page.Data;
    }

    public static IReadOnlyList<string> Actions => AuditActions.All;

    public static string Who(AuditActor actor) => actor.Kind switch
    {
        AuditActor.MemberKind => actor.Email ?? "a member",
        AuditActor.DeveloperKeyKind => "Developer key",
        AuditActor.LiveKitKind => "LiveKit",
        AuditActor.SystemKind => "Callscope",
        AuditActor.VisitorKind => $"Someone typing {actor.Email}",
        _ => actor.Kind,
    };

    public static string What(AuditTarget target) => target.Id is null ? target.Type : $"{target.Type} {target.Id}";

    /// <summary>The details as lines: a changed field as <c>field: old → new</c>, anything else as <c>field: value</c>.</summary>
    public static IEnumerable<string> Details(JsonObject details) => details.Select(field =>
        field.Value is JsonObject change && change.ContainsKey("old") && change.ContainsKey("new")
            ? $"{field.Key}: {Text(change["old"])} → {Text(change["new"])}"
            : $"{field.Key}: {Text(field.Value)}");

    private static string Text(JsonNode? value) => value switch
    {
        null => "none",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray list => list.Count == 0 ? "none" : string.Join(", ", list.Select(Text)),
        _ => value.ToJsonString(),
    };
}
