using Callscope.Server.Dashboard.Pages.Participants;
using Callscope.Server.Dashboard.Pictures;

namespace Callscope.Server.Tests.Dashboard;

public sealed class QualityChartTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static List<QualitySample> EveryFiveSeconds(int count, Func<int, double?> loss, Func<int, double?> rtt) =>
        [.. Enumerable.Range(0, count).Select(i => new QualitySample(T0.AddSeconds(5 * i), loss(i), rtt(i)))];

    [Fact]
    public void Each_bucket_holds_the_minimum_mean_and_maximum_of_its_samples()
    {
        var samples = EveryFiveSeconds(12, i => i, i => 100 + (10 * i));

        var buckets = QualityBucket.Of(samples, T0, T0.AddMinutes(1), 3);

        Assert.Equal([4, 4, 4], buckets.Select(b => b.Samples));
        Assert.Equal(new Spread(0, 1.5, 3, 4), buckets[0].Loss);
        Assert.Equal(new Spread(140, 155, 170, 4), buckets[1].Rtt);
        Assert.Equal((T0.AddSeconds(40), T0.AddMinutes(1)), (buckets[2].From, buckets[2].To));
    }

    [Fact]
    public void A_sample_on_a_boundary_belongs_to_the_later_bucket_and_one_at_the_end_to_the_last()
    {
        var samples = new List<QualitySample> { new(T0.AddSeconds(30), 1, null), new(T0.AddMinutes(1), 2, null) };

        var buckets = QualityBucket.Of(samples, T0, T0.AddMinutes(1), 2);

        Assert.Equal([(T0.AddSeconds(30), 2)], buckets.Select(b => (b.From, b.Samples)));
    }

    [Fact]
    public void Empty_buckets_and_samples_outside_the_range_are_left_out_and_a_missing_measure_has_no_spread()
    {
        var samples = new List<QualitySample>
        {
            new(T0.AddSeconds(-1), 50, 50), new(T0.AddSeconds(5), null, 80), new(T0.AddSeconds(55), 4, null), new(T0.AddSeconds(61), 50, 50),
        };

        var buckets = QualityBucket.Of(samples, T0, T0.AddMinutes(1), 6);

        Assert.Equal(2, buckets.Count);
        Assert.Null(buckets[0].Loss);
        Assert.Equal(new Spread(80, 80, 80, 1), buckets[0].Rtt);
        Assert.Equal(new Spread(4, 4, 4, 1), buckets[1].Loss);
        Assert.Null(buckets[1].Rtt);
    }

    [Fact]
    public void Up_to_one_sample_per_bucket_is_drawn_point_by_point()
    {
        var samples = EveryFiveSeconds(QualityChart.MaxBuckets, i => 1, i => 50);

        var chart = QualityChart.Build(samples, T0, samples[^1].Timestamp)!;

        Assert.False(chart.Aggregated);
        Assert.Equal(QualityChart.MaxBuckets, chart.Rtt.Count);
        Assert.Empty(chart.Buckets);
    }

    [Fact]
    public void Ten_thousand_samples_are_drawn_as_at_most_one_bucket_per_four_pixels_with_peaks_kept()
    {
        var samples = EveryFiveSeconds(10_000, i => i == 7_777 ? 42 : 0.5, i => 40 + (i % 60));

        var chart = QualityChart.Build(samples, T0, samples[^1].Timestamp)!;

        Assert.True(chart.Aggregated);
        Assert.Equal(QualityChart.MaxBuckets, chart.Buckets.Count);
        Assert.True(QualityChart.MaxBuckets <= (QualityChart.Right - QualityChart.Left) / 4);
        Assert.Equal(10_000, chart.Samples);
        Assert.Equal(50, chart.LossMax);
        Assert.Single(chart.Buckets, b => b.Title.Contains("max 42 %", StringComparison.Ordinal));
        Assert.Contains("packet loss up to 42 %, round-trip time up to 99 ms; shown as the minimum, mean and maximum of each 3 min 56 s", chart.Summary);
        Assert.Equal(QualityChart.MaxBuckets, chart.RttLine.Split(' ').Length);
        Assert.Equal(1, chart.LossBand.Count(c => c == 'Z'));
    }

    [Fact]
    public void A_gap_in_the_samples_splits_the_band()
    {
        var samples = EveryFiveSeconds(10_000, i => 1, i => 50).Where(s => s.Timestamp < T0.AddHours(3) || s.Timestamp > T0.AddHours(4)).ToList();

        var chart = QualityChart.Build(samples, T0, T0.AddSeconds(5 * 9_999))!;

        Assert.Equal(2, chart.RttBand.Count(c => c == 'Z'));
    }

    [Fact]
    public void A_zoomed_chart_counts_and_scales_only_the_samples_in_its_range()
    {
        var samples = EveryFiveSeconds(10_000, i => i < 100 ? 80 : 1, i => 50);

        var chart = QualityChart.Build(samples, T0.AddHours(1), T0.AddHours(1).AddMinutes(10))!;

        Assert.Equal(121, chart.Samples);
        Assert.False(chart.Aggregated);
        Assert.Equal(1, chart.LossMax);
    }

    [Fact]
    public void A_zoom_range_is_kept_within_the_call_and_is_at_least_ten_seconds_long()
    {
        var call = (T0, T0.AddHours(14));

        Assert.Equal(call, ParticipantRecordModel.ZoomRange(call, null, null));
        Assert.Equal(call, ParticipantRecordModel.ZoomRange(call, T0.AddHours(5), T0.AddHours(4)));
        Assert.Equal((T0.AddHours(13), T0.AddHours(14)), ParticipantRecordModel.ZoomRange(call, T0.AddHours(13), T0.AddHours(20)));
        Assert.Equal((T0, T0.AddHours(1)), ParticipantRecordModel.ZoomRange(call, T0.AddHours(-3), T0.AddHours(1)));
        Assert.Equal((T0.AddSeconds(-5).AddHours(2), T0.AddSeconds(5).AddHours(2)), ParticipantRecordModel.ZoomRange(call, T0.AddHours(2), T0.AddHours(2)));
        Assert.Equal((T0, T0.AddSeconds(10)), ParticipantRecordModel.ZoomRange(call, T0, T0.AddSeconds(1)));
    }
}
