using Bcd.Contracts.Tasks.V1;
using static Bcd.Tasks.Tests.Domain.Scoring.ScoringScenario;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>T6: totals weigh only applicable criteria; rankings are competition rankings, ties broken by agency id.</summary>
public sealed class ScoringTotalAndRankingTests
{
    [Fact]
    public void T6_NotApplicableCriteriaAreLeftOutAndWeightsRenormalised()
    {
        // so-tc: on time 1 of 2 = 5000 (weight 3), no reports (weight 2, left out), manual 8000 (weight 1):
        // (3 × 5000 + 1 × 8000) ÷ (3 + 1) = 5750 — not 23000 ÷ 6 = 3833.
        // so-khcn: no tasks and no reports, so only the manual 7000 counts.
        var criteria = Criteria(OnTime("C1", weight: 3), Reports("C4", weight: 2), Manual("C6", weight: 1));
        var deadline = Day(2027, 2, 1);
        var tasks = new[] { Task("t1", "so-tc", deadline, deadline), Task("t2", "so-tc", deadline) };
        var manual = new[] { Score("so-tc", "C6", 8000), Score("so-khcn", "C6", 7000) };

        var result = Compute(criteria, [Agency("so-tc"), Agency("so-khcn")], tasks, manual: manual);

        Assert.Equal(5750, result.Of("so-tc").TotalCenti);
        Assert.False(result.Of("so-tc", "C4").Applicable);
        Assert.Equal(7000, result.Of("so-khcn").TotalCenti);
        Assert.Equal(["C1", "C4", "C6"], result.Of("so-khcn").Criteria.Select(c => c.Code));
    }

    [Fact]
    public void T6_AgencyWithoutAnyFactsAppearsWithItsNameAndATotalOfZero()
    {
        var criteria = Criteria(OnTime("C1"), Completion("C2"), Reports("C4"));
        var agencies = new[] { Agency("so-tc", "Sở Tài chính"), Agency("ubnd-tu-son", "UBND thành phố Từ Sơn") };
        var deadline = Day(2027, 2, 1);

        var result = Compute(criteria, agencies, [Task("t1", "so-tc", deadline, deadline)]);

        var idle = result.Of("ubnd-tu-son");
        Assert.Equal(("UBND thành phố Từ Sơn", 0, 0, 2), (idle.AgencyName, idle.TotalCenti, idle.TasksDue, idle.Rank));
        Assert.All(idle.Criteria, c => Assert.False(c.Applicable));
        Assert.Equal(("Sở Tài chính", 10000, 1, 1), (result.Of("so-tc").AgencyName, result.Of("so-tc").TotalCenti, result.Of("so-tc").TasksDue, result.Of("so-tc").Rank));
    }

    [Fact]
    public void T6_CountIndicatorsStayApplicableWithoutTasks()
    {
        var criteria = Criteria(OnTime("C1", weight: 5), Overdue("C3", weight: 1), Findings("C5", weight: 1, penalty: 2000));

        var result = Compute(criteria, [Agency("so-tc")], findings: [Finding("kn-1", "so-tc", From + 3)]);

        // (10000 + 8000) ÷ 2: the rate (weight 5) has no tasks due and drops out.
        Assert.Equal(9000, result.Of("so-tc").TotalCenti);
    }

    // Manual totals given per agency id, and the ranks expected for them.
    public static TheoryData<string[], int[], int[], string[]> Rankings => new()
    {
        {
            ["a", "b", "c", "d"], [9000, 8000, 8000, 7000],
            [1, 2, 2, 4], ["a", "b", "c", "d"]
        },
        {
            // Ties are ordered by agency id, ordinal: "B" before "a".
            ["so-xd", "a", "B", "so-tc", "so-yt"], [5000, 7000, 7000, 7000, 10000],
            [1, 2, 2, 2, 5], ["so-yt", "B", "a", "so-tc", "so-xd"]
        },
        {
            ["x", "y", "z"], [0, 0, 0],
            [1, 1, 1], ["x", "y", "z"]
        },
        {
            ["x", "y", "z"], [1, 2, 3],
            [1, 2, 3], ["z", "y", "x"]
        },
    };

    [Theory]
    [MemberData(nameof(Rankings))]
    public void T6_EqualTotalsShareARank(string[] agencyIds, int[] totals, int[] expectedRanks, string[] expectedOrder)
    {
        var manual = agencyIds.Zip(totals, (id, total) => Score(id, "M1", total));

        var result = Compute(Criteria(Manual("M1")), agencyIds.Select(id => Agency(id)), manual: manual);

        Assert.Equal(expectedOrder, result.Scores.Select(s => s.AgencyId));
        Assert.Equal(expectedRanks, result.Scores.Select(s => s.Rank));
    }

    [Fact]
    public void T6_EveryCriterionScoreCarriesItsVersionFields()
    {
        var result = Compute(Criteria(Overdue("C3", weight: 7, penalty: 250)), [Agency("so-tc")]);

        var score = result.Of("so-tc", "C3");
        Assert.Equal(("C3", Indicator.OverdueCount, 7, 10000), (score.Code, score.Indicator, score.Weight, score.ScoreCenti));
    }
}
