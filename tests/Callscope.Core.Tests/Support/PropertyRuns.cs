namespace Callscope.Core.Tests.Support;

internal static class PropertyRuns
{
    public const long DefaultIterations = 2_000;

    /// <summary>Generated cases per property: <c>CALLSCOPE_PROPERTY_ITERATIONS</c> when set to a positive number.</summary>
    public static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("CALLSCOPE_PROPERTY_ITERATIONS"), out var iterations) && iterations > 0
            ? iterations
            : DefaultIterations;

    /// <summary>Writes CsCheck's summary (how many cases ran) to the test's output.</summary>
    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Fails with both renderings in full, so that the differing line can be read off.</summary>
    public static void SameSessions(string what, string expected, string actual)
    {
        if (expected != actual)
        {
            Assert.Fail($"{what}\nexpected:\n{expected}\nactual:\n{actual}");
        }
    }
}
