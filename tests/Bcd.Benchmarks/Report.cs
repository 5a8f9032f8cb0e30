namespace Bcd.Benchmarks;

/// <summary>Prints a measurement table and the three ratios next to their targets (PASS/BELOW, never asserted).</summary>
internal static class Report
{
    private static readonly (string Label, string Numerator, string Denominator, double Target)[] Targets =
    [
        ("read via gateway / read direct", "read via gateway", "read direct", 0.6),
        ("read direct / echo", "read direct", "echo", 0.7),
        ("write direct / echo", "write direct", "echo", 0.4),
    ];

    public static void Table(string title, IEnumerable<Scenario> scenarios, IReadOnlyList<Measurement> results)
    {
        Console.WriteLine(title);
        Console.WriteLine($"  {"scenario",-18} {"rpc",-54} {"req/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",8}");
        foreach (var scenario in scenarios)
        {
            var m = results.FirstOrDefault(r => r.Scenario == scenario.Name);
            if (m is null)
            {
                continue;
            }

            Console.WriteLine($"  {scenario.Name,-18} {scenario.Method.TrimStart('/'),-54} {m.RequestsPerSecond,10:N0} {Ms(m.P50Ms),8} {Ms(m.P99Ms),8} {m.Errors,8:N0}");
            if (m.FirstError is not null)
            {
                Console.WriteLine($"  {"",-18} first error: {m.FirstError}");
            }
        }
    }

    public static void Ratios(IReadOnlyList<Measurement> results)
    {
        Console.WriteLine($"  {"ratio (req/s)",-32} {"value",6} {"target",7}  verdict");
        foreach (var (label, numerator, denominator, target) in Targets)
        {
            var n = results.FirstOrDefault(r => r.Scenario == numerator);
            var d = results.FirstOrDefault(r => r.Scenario == denominator);
            if (n is null || d is null)
            {
                Console.WriteLine($"  {label,-32} {"n/a",6} {">= " + target.ToString("0.0#"),7}  -");
                continue;
            }

            var ratio = d.RequestsPerSecond > 0 ? n.RequestsPerSecond / d.RequestsPerSecond : double.NaN;
            var verdict = double.IsNaN(ratio) ? "-" : ratio >= target ? "PASS" : "BELOW";
            Console.WriteLine($"  {label,-32} {(double.IsNaN(ratio) ? "n/a" : ratio.ToString("0.00")),6} {">= " + target.ToString("0.0#"),7}  {verdict}");
        }
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value < 10 ? value.ToString("0.00") : value.ToString("0.0");
}
