namespace Callscope.Core.Diagnosis;

/// <summary>
/// A mean opinion score (1 to 4.5) estimated from the network's numbers with a simplified ITU-T G.107 E-model:
/// <code>
/// d   = rtt / 2 + 2 * jitter + 10                      effective one-way delay in ms (jitter buffer and codec added)
/// Id  = d / 40              when d &lt; 160
///       (d - 120) / 10      otherwise                  delay impairment
/// Ie  = 2.5 * loss_pct                                  loss impairment
/// R   = 93.2 - Id - Ie                                 93.2: G.107's default transmission rating
/// MOS = 1                                   when R &lt;= 0
///       4.5                                 when R &gt;= 100
///       1 + 0.035 R + 0.000007 R (R - 60) (100 - R)    otherwise (G.107 Annex B)
/// </code>
/// With a clean network (0 ms, 0 ms, 0 %) the estimate is 4.4; it falls under 3.5 when R falls under about 68.
/// </summary>
public static class MosEstimate
{
    public static double From(double rttMs, double jitterMs, double lossPct)
    {
        var delay = (rttMs / 2) + (2 * jitterMs) + 10;
        var delayImpairment = delay < 160 ? delay / 40 : (delay - 120) / 10;
        var r = 93.2 - delayImpairment - (2.5 * lossPct);
        return r <= 0 ? 1
            : r >= 100 ? 4.5
            : 1 + (0.035 * r) + (0.000007 * r * (r - 60) * (100 - r));
    }
}
