using Callscope.Data.Usage;

namespace Callscope.Data.Tests.Usage;

/// <summary>The current period: the month (UTC) that holds now, starting at midnight of the team's start day.</summary>
public sealed class UsagePeriodTests
{
    [Theory]
    [InlineData("2026-11-30T12:00:00Z", 1, "2026-11-01", "2026-12-01")]
    [InlineData("2026-12-31T23:59:59Z", 1, "2026-12-01", "2027-01-01")]
    [InlineData("2026-11-30T12:00:00Z", 15, "2026-11-15", "2026-12-15")]
    [InlineData("2026-12-03T08:00:00Z", 15, "2026-11-15", "2026-12-15")]
    [InlineData("2026-11-15T00:00:00Z", 15, "2026-11-15", "2026-12-15")]
    [InlineData("2026-11-14T23:59:59.999Z", 15, "2026-10-15", "2026-11-15")]
    [InlineData("2027-01-10T00:00:00Z", 28, "2026-12-28", "2027-01-28")]
    [InlineData("2027-03-01T00:00:00Z", 28, "2027-02-28", "2027-03-28")]
    [InlineData("2026-12-01T01:00:00+03:00", 1, "2026-11-01", "2026-12-01")]
    public void The_period_holds_now_and_starts_on_the_day_given(string now, int day, string start, string end)
    {
        var (from, to) = UsageQueries.Period(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), day);

        Assert.Equal(DateTimeOffset.Parse(start + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), from);
        Assert.Equal(DateTimeOffset.Parse(end + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), to);
        Assert.Equal(TimeSpan.Zero, from.Offset);
    }
}
