namespace Callscope.Bench;

/// <summary>The first team of every server the bench starts: its secrets are preset so the bench can call the API.</summary>
public static class BenchTeam
{
    public const string DeveloperKey = "bench-developer-key-0000000000000001";
    public const string AdminPassword = "bench-admin-password";
}
