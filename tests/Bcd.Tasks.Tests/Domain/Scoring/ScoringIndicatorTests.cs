using Bcd.Contracts.Tasks.V1;
using Bcd.Tasks.Domain.Scoring;
using static Bcd.Tasks.Tests.Domain.Scoring.ScoringScenario;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>
/// T6: each indicator's arithmetic for Quarter I/2027 against hand-computed figures, in hundredths of a
/// point. Rates round half to even: 10000 × 1/32 = 312.5 → 312, 10000 × 3/32 = 937.5 → 938.
/// </summary>
public sealed class ScoringIndicatorTests
{
    private const string Tc = "so-tc";
    private static readonly AgencyFact[] OneAgency = [Agency(Tc, "Sở Tài chính")];

    [Fact]
    public void T6_CompletionRatesCountTasksDueInThePeriod()
    {
        var deadline = Day(2027, 2, 15);
        var tasks = new[]
        {
            Task("on-time", Tc, deadline, deadline - 3),
            Task("late", Tc, deadline, deadline + 1),
            Task("open", Tc, deadline),
        };

        var result = Compute(Criteria(OnTime("C1"), Completion("C2")), OneAgency, tasks);

        var onTime = result.Of(Tc, "C1");
        Assert.Equal((true, 1, 3, 3333), (onTime.Applicable, onTime.Numerator, onTime.Denominator, onTime.ScoreCenti));
        var completed = result.Of(Tc, "C2");
        Assert.Equal((true, 2, 3, 6667), (completed.Applicable, completed.Numerator, completed.Denominator, completed.ScoreCenti));
        Assert.Equal(3, result.Of(Tc).TasksDue);
    }

    [Theory]
    [InlineData(-1, 10000)]
    [InlineData(0, 10000)] // the deadline day itself is on time
    [InlineData(1, 0)] // the day after is late
    public void T6_TaskCompletedOnItsDeadlineDayIsOnTimeAndTheDayAfterIsLate(int completedAfterDeadline, int onTimeCenti)
    {
        var deadline = Day(2027, 3, 10);

        var result = Compute(Criteria(OnTime("C1"), Completion("C2")), OneAgency, [Task("t", Tc, deadline, deadline + completedAfterDeadline)]);

        Assert.Equal(onTimeCenti, result.Of(Tc, "C1").ScoreCenti);
        Assert.Equal(10000, result.Of(Tc, "C2").ScoreCenti);
    }

    [Fact]
    public void T6_CompletionAfterThePeriodDoesNotCount()
    {
        // Statuses are as of the end of `to`: done on 1/4 for a deadline of 31/3 is neither on time nor completed yet.
        var result = Compute(Criteria(OnTime("C1"), Completion("C2"), Overdue("C3")), OneAgency, [Task("t", Tc, To, To + 1)]);

        Assert.Equal((0, 1, 0), (result.Of(Tc, "C1").Numerator, result.Of(Tc, "C1").Denominator, result.Of(Tc, "C1").ScoreCenti));
        Assert.Equal(0, result.Of(Tc, "C2").ScoreCenti);
        Assert.Equal(0, result.Of(Tc, "C3").Numerator); // due on the last day: not overdue at its end
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 312)] // 312.5 → even 312
    [InlineData(3, 938)] // 937.5 → even 938
    [InlineData(5, 1562)] // 1562.5 → even 1562
    [InlineData(7, 2188)] // 2187.5 → even 2188
    [InlineData(11, 3438)] // 3437.5 → even 3438
    [InlineData(31, 9688)] // 9687.5 → even 9688
    [InlineData(32, 10000)]
    public void T6_RateRoundsHalfToEven(int onTime, int expectedCenti)
    {
        var deadline = Day(2027, 2, 1);
        var tasks = Enumerable.Range(0, 32).Select(i => Task($"t{i:00}", Tc, deadline, i < onTime ? deadline : 0));

        var score = Compute(Criteria(OnTime("C1")), OneAgency, tasks).Of(Tc, "C1");

        Assert.Equal((onTime, 32, expectedCenti), (score.Numerator, score.Denominator, score.ScoreCenti));
    }

    [Fact]
    public void T6_RateIsNotApplicableWithoutTasksDue()
    {
        var result = Compute(Criteria(OnTime("C1"), Completion("C2"), Reports("C4")), OneAgency, [Task("later", Tc, To + 10)]);

        Assert.All(result.Of(Tc).Criteria, c => Assert.Equal((false, 0, 0, 0), (c.Applicable, c.Numerator, c.Denominator, c.ScoreCenti)));
        Assert.Equal(0, result.Of(Tc).TasksDue);
    }

    [Fact]
    public void T6_OverdueCountTakesThePenaltyForEachTaskOverdueAtTheEndOfThePeriod()
    {
        var tasks = new[]
        {
            Task("open-from-last-year", Tc, From - 40),
            Task("due-day-before-end", Tc, To - 1),
            Task("done-after-period", Tc, From + 10, To + 5),
            Task("done-late-within-period", Tc, From + 10, From + 20),
            Task("due-last-day", Tc, To),
            Task("due-next-quarter", Tc, To + 1),
        };

        var score = Compute(Criteria(Overdue("C3", penalty: 500)), OneAgency, tasks).Of(Tc, "C3");

        Assert.Equal((true, 3, 0, 8500), (score.Applicable, score.Numerator, score.Denominator, score.ScoreCenti));
    }

    [Theory]
    [InlineData(0, 3000, 10000)]
    [InlineData(3, 3000, 1000)]
    [InlineData(4, 3000, 0)] // 10000 − 12000 is not below 0
    [InlineData(1, 10000, 0)]
    public void T6_CountIndicatorNeverGoesBelowZero(int overdue, int penalty, int expectedCenti)
    {
        var tasks = Enumerable.Range(0, overdue).Select(i => Task($"t{i}", Tc, From + i));

        var score = Compute(Criteria(Overdue("C3", penalty: penalty)), OneAgency, tasks).Of(Tc, "C3");

        Assert.Equal((true, overdue, expectedCenti), (score.Applicable, score.Numerator, score.ScoreCenti));
    }

    [Fact]
    public void T6_ReportTimelinessCountsReportsDueInThePeriodSubmittedByTheirDueDay()
    {
        var due = Day(2027, 3, 25);
        var reports = new[]
        {
            Report("tcv-kt", Tc, "2027-q1", due, due), // on the due day: on time
            Report("tcv-dt", Tc, "2027-q1", due, due + 1),
            Report("tcv-nl", Tc, "2027-q1", due),
            Report("tcv-kt", Tc, "2026-q4", From - 5, From - 5),
            Report("tcv-kt", Tc, "2027-q2", To + 90, To + 1),
        };

        var score = Compute(Criteria(Reports("C4")), OneAgency, reports: reports).Of(Tc, "C4");

        Assert.Equal((true, 1, 3, 3333), (score.Applicable, score.Numerator, score.Denominator, score.ScoreCenti));
    }

    [Fact]
    public void T6_InspectionFindingsTakeThePenaltyForEachRecommendationIssuedInThePeriod()
    {
        var findings = new[]
        {
            Finding("kn-1", Tc, From), Finding("kn-2", Tc, To), Finding("kn-0", Tc, From - 1), Finding("kn-9", Tc, To + 1),
        };

        var score = Compute(Criteria(Findings("C5", penalty: 1250)), OneAgency, findings: findings).Of(Tc, "C5");

        Assert.Equal((true, 2, 0, 7500), (score.Applicable, score.Numerator, score.Denominator, score.ScoreCenti));
    }

    [Fact]
    public void T6_ManualScoreAndItsJustificationAreCopied()
    {
        var score = Compute(Criteria(Manual("C6")), OneAgency, manual: [Score(Tc, "C6", 8750, "Tham mưu kịp thời đề án chuyển đổi số")]).Of(Tc, "C6");

        Assert.Equal((true, 8750, "Tham mưu kịp thời đề án chuyển đổi số"), (score.Applicable, score.ScoreCenti, score.Justification));
        Assert.Equal((Indicator.Manual, 1), (score.Indicator, score.Weight));
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(1, 2, 2)] // 1.5 → 2
    [InlineData(2, 3, 2)] // 2.5 → 2
    [InlineData(3, 4, 4)] // 3.5 → 4
    [InlineData(6665, 6668, 6666)] // 6666.5 → 6666
    [InlineData(9999, 10000, 10000)] // 9999.5 → 10000
    public void T6_TotalRoundsHalfToEven(int first, int second, int expectedTotal)
    {
        var criteria = Criteria(Manual("M1"), Manual("M2"));

        var result = Compute(criteria, OneAgency, manual: [Score(Tc, "M1", first), Score(Tc, "M2", second)]);

        Assert.Equal(expectedTotal, result.Of(Tc).TotalCenti);
    }

    [Theory]
    [InlineData(5L, 2L, 2L)]
    [InlineData(7L, 2L, 4L)]
    [InlineData(20000L, 3L, 6667L)]
    [InlineData(10000L, 3L, 3333L)]
    [InlineData(-5L, 2L, -2L)]
    [InlineData(-7L, 2L, -4L)]
    [InlineData(-20000L, 3L, -6667L)]
    [InlineData(0L, 7L, 0L)]
    public void T6_RoundHalfEvenMatchesBankersRounding(long numerator, long denominator, long expected)
    {
        Assert.Equal(expected, ScoringEngine.RoundHalfEven(numerator, denominator));
        Assert.Equal((long)Math.Round((decimal)numerator / denominator, MidpointRounding.ToEven), expected);
    }
}
