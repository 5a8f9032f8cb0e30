namespace Bcd.Benchmarks;

/// <summary>One scenario measured by one load generator.</summary>
internal sealed record Measurement(string Scenario, long Succeeded, long Errors, double Seconds, double P50Ms, double P99Ms, string? FirstError)
{
    public double RequestsPerSecond => Seconds > 0 ? Succeeded / Seconds : 0;

    public static Measurement Failed(string scenario, string error) => new(scenario, 0, 1, 0, double.NaN, double.NaN, error);

    /// <summary>Nearest-rank percentile of an ascending-sorted array.</summary>
    public static double Percentile(long[] sorted, double p, double unitsPerMs)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] / unitsPerMs;
    }
}
