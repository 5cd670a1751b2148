using Callscope.Core.Diagnosis;

namespace Callscope.Core.Tests;

public sealed class MosEstimateTests
{
    [Fact]
    public void A_clean_network_scores_4_4()
    {
        Assert.Equal(4.4, MosEstimate.From(0, 0, 0), 2);
    }

    [Fact]
    public void Twilio_warning_levels_alone_keep_the_score_above_3_5()
    {
        Assert.True(MosEstimate.From(400, 0, 0) > 3.5);
        Assert.True(MosEstimate.From(0, 30, 0) > 3.5);
        Assert.True(MosEstimate.From(0, 0, 3) > 3.5);
    }

    [Fact]
    public void Heavy_loss_or_delay_scores_below_3_5_and_the_score_stays_between_1_and_4_5()
    {
        Assert.True(MosEstimate.From(100, 10, 12) < 3.5);
        Assert.True(MosEstimate.From(1200, 50, 0) < 3.5);
        Assert.Equal(1, MosEstimate.From(60_000, 60_000, 100));
    }

    [Fact]
    public void The_score_falls_as_any_impairment_grows()
    {
        Assert.True(MosEstimate.From(300, 20, 1) > MosEstimate.From(301, 20, 1));
        Assert.True(MosEstimate.From(300, 20, 1) > MosEstimate.From(300, 21, 1));
        Assert.True(MosEstimate.From(300, 20, 1) > MosEstimate.From(300, 20, 2));
    }
}
