using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;

namespace Bcd.Tasks.Domain.Scoring;

/// <summary>
/// T6: a round's scores and ranking from its snapshot alone. Pure and deterministic: integers only
/// (a double's rounding could differ between runtimes and turn VerifyRound red), half-to-even rounding,
/// ordinal ordering. Each fact is read once and tallied on its agency, so the cost is linear in the facts.
/// The filters of <see cref="ScoringInputsBuilder"/> are applied again here: facts outside the period
/// or the round contribute nothing even when a snapshot carries them.
/// </summary>
public static class ScoringEngine
{
    /// <summary>Full marks, in hundredths of a point.</summary>
    public const int MaxCenti = 10000;

    public static RoundResult Compute(ScoringInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (from, to) = PeriodDays(inputs.Period);
        var criteria = inputs.Criteria?.Criteria
            ?? throw new ArgumentException("The inputs carry no criteria version.", nameof(inputs));

        var tallies = new Dictionary<string, Tally>(inputs.Agencies.Count, StringComparer.Ordinal);
        foreach (var agency in inputs.Agencies)
        {
            if (!tallies.TryAdd(agency.AgencyId, new Tally()))
            {
                throw new ArgumentException($"Agency '{agency.AgencyId}' is listed twice.", nameof(inputs));
            }
        }

        // A period still running is counted as of its as-of day: only what is settled by then (done, or past its deadline).
        var asOf = inputs.AsOfDay;
        var end = asOf == 0 ? to : Math.Min(to, asOf);
        foreach (var task in inputs.Tasks)
        {
            if (!tallies.TryGetValue(task.LeadAgencyId, out var tally))
            {
                continue;
            }

            var completedBy = task.CompletedDay != 0 && task.CompletedDay <= end;
            if (task.DeadlineDay >= from && task.DeadlineDay <= to && (asOf == 0 || completedBy || task.DeadlineDay < asOf))
            {
                tally.TasksDue++;
                if (completedBy)
                {
                    tally.TasksCompleted++;
                    if (task.CompletedDay <= task.DeadlineDay)
                    {
                        tally.TasksOnTime++;
                    }
                }
            }

            if (IsOverdueAt(task, end))
            {
                tally.TasksOverdue++;
            }
        }

        foreach (var report in inputs.Reports)
        {
            var submittedBy = report.SubmittedDay != 0 && report.SubmittedDay <= end;
            if (report.DueDay >= from && report.DueDay <= to && (asOf == 0 || submittedBy || report.DueDay < asOf) &&
                tallies.TryGetValue(report.LeadAgencyId, out var tally))
            {
                tally.ReportsDue++;
                if (submittedBy && report.SubmittedDay <= report.DueDay)
                {
                    tally.ReportsOnTime++;
                }
            }
        }

        foreach (var finding in inputs.Findings)
        {
            if (finding.IssuedDay >= from && finding.IssuedDay <= end && tallies.TryGetValue(finding.AgencyId, out var tally))
            {
                tally.Findings++;
            }
        }

        var manual = new Dictionary<(string Agency, string Code), ManualScore>();
        foreach (var score in inputs.ManualScores)
        {
            if (!manual.TryAdd((score.AgencyId, score.CriterionCode), score))
            {
                throw new ArgumentException(
                    $"Agency '{score.AgencyId}' has two manual scores for criterion '{score.CriterionCode}'.", nameof(inputs));
            }
        }

        var scores = new List<AgencyScore>(inputs.Agencies.Count);
        foreach (var agency in inputs.Agencies)
        {
            scores.Add(ScoreAgency(agency, tallies[agency.AgencyId], criteria, manual));
        }

        Rank(scores);
        var result = new RoundResult();
        result.Scores.AddRange(scores);
        return result;
    }

    /// <summary>
    /// Overdue as of the end of day <paramref name="toDay"/>: the deadline has passed (the deadline day
    /// itself is still on time, as in T3) and the task was not completed by then.
    /// </summary>
    public static bool IsOverdueAt(TaskFact task, int toDay) =>
        task.DeadlineDay < toDay && (task.CompletedDay == 0 || task.CompletedDay > toDay);

    /// <summary>
    /// <paramref name="numerator"/> ÷ <paramref name="denominator"/> rounded to the nearest integer, ties
    /// to the even one (banker's rounding keeps ties from always favouring the agency).
    /// </summary>
    public static long RoundHalfEven(long numerator, long denominator)
    {
        if (denominator <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "The denominator must be positive.");
        }

        var quotient = Math.DivRem(numerator, denominator, out var remainder);
        // C# truncates toward zero, so a negative numerator leaves a negative remainder: round on its magnitude.
        var twice = 2 * Math.Abs(remainder);
        if (twice > denominator || (twice == denominator && (quotient & 1) != 0))
        {
            quotient += numerator < 0 ? -1 : 1;
        }

        return quotient;
    }

    private static AgencyScore ScoreAgency(
        AgencyFact agency, Tally tally, IEnumerable<Criterion> criteria, Dictionary<(string Agency, string Code), ManualScore> manual)
    {
        var score = new AgencyScore { AgencyId = agency.AgencyId, AgencyName = agency.Name, TasksDue = tally.TasksDue };
        long weighted = 0;
        long weights = 0;
        foreach (var criterion in criteria)
        {
            var item = criterion.Indicator switch
            {
                Indicator.OnTimeCompletionRate => Rate(criterion, tally.TasksOnTime, tally.TasksDue),
                Indicator.CompletionRate => Rate(criterion, tally.TasksCompleted, tally.TasksDue),
                Indicator.ReportTimeliness => Rate(criterion, tally.ReportsOnTime, tally.ReportsDue),
                Indicator.OverdueCount => Count(criterion, tally.TasksOverdue),
                Indicator.InspectionFindings => Count(criterion, tally.Findings),
                Indicator.Manual => Manual(criterion, agency.AgencyId, manual),
                _ => throw new ArgumentException($"Criterion '{criterion.Code}' has no known indicator ({criterion.Indicator}).", nameof(criteria)),
            };

            if (item.Applicable)
            {
                weighted += (long)criterion.Weight * item.ScoreCenti;
                weights += criterion.Weight;
            }

            score.Criteria.Add(item);
        }

        score.TotalCenti = weights > 0 ? (int)RoundHalfEven(weighted, weights) : 0;
        return score;
    }

    private static CriterionScore Rate(Criterion criterion, int numerator, int denominator) => new()
    {
        Code = criterion.Code,
        Indicator = criterion.Indicator,
        Weight = criterion.Weight,
        Applicable = denominator > 0,
        Numerator = numerator,
        Denominator = denominator,
        ScoreCenti = denominator > 0 ? (int)RoundHalfEven((long)MaxCenti * numerator, denominator) : 0,
    };

    private static CriterionScore Count(Criterion criterion, int count) => new()
    {
        Code = criterion.Code,
        Indicator = criterion.Indicator,
        Weight = criterion.Weight,
        Applicable = true,
        Numerator = count,
        Denominator = 0,
        ScoreCenti = (int)Math.Max(0L, MaxCenti - (long)criterion.PenaltyCenti * count),
    };

    private static CriterionScore Manual(Criterion criterion, string agencyId, Dictionary<(string Agency, string Code), ManualScore> manual)
    {
        // The builder refuses a round without every manual score; a snapshot lacking one was not built by it.
        if (!manual.TryGetValue((agencyId, criterion.Code), out var given))
        {
            throw new ArgumentException($"Agency '{agencyId}' has no manual score for criterion '{criterion.Code}'.", nameof(manual));
        }

        return new CriterionScore
        {
            Code = criterion.Code,
            Indicator = criterion.Indicator,
            Weight = criterion.Weight,
            Applicable = true,
            ScoreCenti = given.ScoreCenti,
            Justification = given.Justification,
        };
    }

    /// <summary>Total descending, then agency id ordinal; competition ranking (1, 2, 2, 4).</summary>
    private static void Rank(List<AgencyScore> scores)
    {
        scores.Sort(static (x, y) =>
        {
            var c = y.TotalCenti.CompareTo(x.TotalCenti);
            return c != 0 ? c : string.CompareOrdinal(x.AgencyId, y.AgencyId);
        });

        for (var i = 0; i < scores.Count; i++)
        {
            scores[i].Rank = i > 0 && scores[i].TotalCenti == scores[i - 1].TotalCenti ? scores[i - 1].Rank : i + 1;
        }
    }

    private static (int From, int To) PeriodDays(ScoringPeriod? period)
    {
        if (period is null || !period.From.IsValid() || !period.To.IsValid())
        {
            throw new ArgumentException("The inputs carry no valid scoring period.", nameof(period));
        }

        var from = period.From.ToDateOnly().DayNumber;
        var to = period.To.ToDateOnly().DayNumber;
        return from <= to ? (from, to) : throw new ArgumentException("The scoring period ends before it starts.", nameof(period));
    }

    /// <summary>One agency's counts, filled in a single pass over the facts.</summary>
    private sealed class Tally
    {
        public int TasksDue;
        public int TasksCompleted;
        public int TasksOnTime;
        public int TasksOverdue;
        public int ReportsDue;
        public int ReportsOnTime;
        public int Findings;
    }
}
