namespace Callscope.Server.Dashboard.Pages;

/// <summary>
/// What a member needs to call the REST and ingest APIs: the team id (the user name of HTTP Basic), the base
/// address and how to authenticate. Every member can open it; the developer key itself is shown only when an admin
/// rotates it.
/// </summary>
public sealed class ApiAccessModel : DashboardPage
{
    public string BaseAddress { get; private set; } = string.Empty;

    public void OnGet() => BaseAddress = $"{Request.Scheme}://{Request.Host}{Request.PathBase}/api/v1";
}
