using System.Diagnostics;
using System.Globalization;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain.Scoring;

namespace Bcd.Benchmarks;

/// <summary>
/// The T6 scoring computation alone, without gRPC or Redis: snapshot builder, engine and the two
/// SHA-256s a round stores, over a seeded Quarter I/2027 of 10k–100k tasks and 200 agencies. The budget
/// is "well under 1 s for 100k tasks on 2 cores"; the figures are printed, never asserted.
/// </summary>
internal static class ScoringBenchmark
{
    private static readonly int[] Sizes = [10_000, 25_000, 50_000, 100_000];
    private static readonly DateOnly From = new(2027, 1, 1);
    private static readonly DateOnly To = new(2027, 3, 31);

    /// <summary>Median milliseconds per stage for each size, after <paramref name="warmups"/> unmeasured runs.</summary>
    public static IReadOnlyList<(int Tasks, double BuildMs, double ComputeMs, double HashMs)> Run(
        int agencies = 200, int runs = 7, int warmups = 2, int seed = 2027)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 5);
        var results = new List<(int Tasks, double BuildMs, double ComputeMs, double HashMs)>();
        Console.WriteLine($"Scoring (T6): {agencies} agencies, 6 criteria, Quarter I/2027; median of {runs} runs after {warmups} warm-up, ms");
        Console.WriteLine($"  {"tasks",8} {"kept",8} {"build",8} {"compute",8} {"hash",8} {"total",8}");
        foreach (var size in Sizes)
        {
            var quarter = Quarter.Generate(size, agencies, seed);
            var build = new double[runs];
            var compute = new double[runs];
            var hash = new double[runs];
            var kept = 0;
            for (var i = -warmups; i < runs; i++)
            {
                // Each run starts from a clean heap so one run's garbage is not charged to the next.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var started = Stopwatch.GetTimestamp();
                var inputs = quarter.Build();
                var built = Stopwatch.GetTimestamp();
                var result = ScoringEngine.Compute(inputs);
                var computed = Stopwatch.GetTimestamp();
                var digests = ScoringHash.Sha256Hex(inputs) + ScoringHash.Sha256Hex(result);
                var hashed = Stopwatch.GetTimestamp();
                // Uses the digests, so no run can be optimised into less work than a round does.
                if (digests.Length != 128)
                {
                    throw new InvalidOperationException("A SHA-256 is 64 hex digits.");
                }

                if (i < 0)
                {
                    continue;
                }

                build[i] = Stopwatch.GetElapsedTime(started, built).TotalMilliseconds;
                compute[i] = Stopwatch.GetElapsedTime(built, computed).TotalMilliseconds;
                hash[i] = Stopwatch.GetElapsedTime(computed, hashed).TotalMilliseconds;
                kept = inputs.Tasks.Count;
            }

            var row = (size, Median(build), Median(compute), Median(hash));
            results.Add(row);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {size,8:N0} {kept,8:N0} {row.Item2,8:F1} {row.Item3,8:F1} {row.Item4,8:F1} {row.Item2 + row.Item3 + row.Item4,8:F1}"));
        }

        return results;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// One committee's facts as storage would hand them over: unsorted, with deadlines a month either side
    /// of the quarter so the builder has facts to drop, a quarter of the tasks still open.
    /// </summary>
    private sealed record Quarter(
        CriteriaVersion Criteria, AgencyFact[] Agencies, TaskFact[] Tasks, ReportFact[] Reports, FindingFact[] Findings, ManualScore[] Manual)
    {
        private static readonly ScoringPeriod Period = new() { Label = "Quý I/2027", From = From.ToProtoDate(), To = To.ToProtoDate() };

        public static Quarter Generate(int taskCount, int agencyCount, int seed)
        {
            var random = new Random(seed);
            var from = From.DayNumber;
            var to = To.DayNumber;
            int AnyDay() => random.Next(from - 30, to + 31);
            int Done(int deadline) => random.Next(4) == 0 ? 0 : deadline + random.Next(-30, 15);

            var criteria = new CriteriaVersion { CommitteeId = "bac-ninh", Version = 1, Name = "Bộ tiêu chí 2027" };
            criteria.Criteria.Add(new Criterion { Code = "C1", Name = "Hoàn thành đúng hạn", Weight = 30, Indicator = Indicator.OnTimeCompletionRate });
            criteria.Criteria.Add(new Criterion { Code = "C2", Name = "Tỷ lệ hoàn thành", Weight = 20, Indicator = Indicator.CompletionRate });
            criteria.Criteria.Add(new Criterion { Code = "C3", Name = "Nhiệm vụ quá hạn", Weight = 15, Indicator = Indicator.OverdueCount, PenaltyCenti = 200 });
            criteria.Criteria.Add(new Criterion { Code = "C4", Name = "Báo cáo đúng hạn", Weight = 15, Indicator = Indicator.ReportTimeliness });
            criteria.Criteria.Add(new Criterion { Code = "C5", Name = "Kiến nghị kiểm tra", Weight = 10, Indicator = Indicator.InspectionFindings, PenaltyCenti = 500 });
            criteria.Criteria.Add(new Criterion { Code = "C6", Name = "Đánh giá của Cơ quan thường trực", Weight = 10, Indicator = Indicator.Manual });

            var agencies = Enumerable.Range(0, agencyCount)
                .Select(i => new AgencyFact { AgencyId = $"agency-{i:0000}", Name = $"Cơ quan {i}" }).ToArray();
            random.Shuffle(agencies);
            var tasks = Enumerable.Range(0, taskCount).Select(i =>
            {
                var deadline = AnyDay();
                return new TaskFact { TaskId = $"task-{i:000000}", LeadAgencyId = agencies[random.Next(agencyCount)].AgencyId, DeadlineDay = deadline, CompletedDay = Done(deadline) };
            }).ToArray();
            random.Shuffle(tasks);
            var reports = Enumerable.Range(0, taskCount / 50).Select(i =>
            {
                var due = AnyDay();
                return new ReportFact { GroupId = $"group-{i % 40:00}", LeadAgencyId = agencies[i % agencyCount].AgencyId, PeriodId = $"p-{i:00000}", DueDay = due, SubmittedDay = Done(due) };
            }).ToArray();
            var findings = Enumerable.Range(0, taskCount / 100)
                .Select(i => new FindingFact { RecommendationId = $"kn-{i:00000}", AgencyId = agencies[random.Next(agencyCount)].AgencyId, IssuedDay = AnyDay() }).ToArray();
            var manual = agencies
                .Select(a => new ManualScore { AgencyId = a.AgencyId, CriterionCode = "C6", ScoreCenti = random.Next(5000, 10001), Justification = "Nhận xét của Cơ quan thường trực" }).ToArray();
            return new Quarter(criteria, agencies, tasks, reports, findings, manual);
        }

        public ScoringInputs Build() =>
            ScoringInputsBuilder.Build("bac-ninh", Period, Criteria, Agencies, Tasks, Reports, Findings, Manual);
    }
}
