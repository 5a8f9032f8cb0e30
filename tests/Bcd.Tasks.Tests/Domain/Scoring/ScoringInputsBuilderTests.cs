using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.Tasks.Domain.Scoring;
using static Bcd.Tasks.Tests.Domain.Scoring.ScoringScenario;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>T6: the snapshot keeps the facts the period and the round need, in canonical order, and refuses bad manual scores.</summary>
public sealed class ScoringInputsBuilderTests
{
    private static readonly AgencyFact[] TwoAgencies = [Agency("so-khcn"), Agency("so-tc")];

    [Fact]
    public void T6_PeriodEndingBeforeItStartsIsRefused()
    {
        var period = Period(new DateOnly(2027, 3, 31), new DateOnly(2027, 1, 1));

        var error = Assert.Throws<InvalidArgumentException>(() => Inputs(Criteria(OnTime()), TwoAgencies, period: period));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("period.to", violation.Field);
        Assert.Contains("31/03/2027", violation.DescriptionVi);
    }

    [Fact]
    public void T6_OneDayPeriodIsAccepted()
    {
        var day = new DateOnly(2027, 3, 31);

        var inputs = Inputs(Criteria(OnTime()), TwoAgencies, [Task("t1", "so-tc", day.DayNumber)], period: Period(day, day));

        Assert.Single(inputs.Tasks);
    }

    // Each case: the manual scores given (agency, code) and the fields the violations name, in order.
    public static TheoryData<string, (string Agency, string Code)[], string[]> BadManualScores => new()
    {
        {
            "missing", [("so-khcn", "M1"), ("so-khcn", "M2"), ("so-tc", "M1")],
            ["manual_scores"]
        },
        {
            "duplicate", [("so-khcn", "M1"), ("so-khcn", "M2"), ("so-tc", "M1"), ("so-tc", "M2"), ("so-khcn", "M2")],
            ["manual_scores[4]"]
        },
        {
            "unknown agency", [("so-khcn", "M1"), ("so-khcn", "M2"), ("so-tc", "M1"), ("so-tc", "M2"), ("so-xd", "M1")],
            ["manual_scores[4].agency_id"]
        },
        {
            "unknown criterion", [("so-khcn", "M1"), ("so-khcn", "M2"), ("so-tc", "M1"), ("so-tc", "M2"), ("so-tc", "M9")],
            ["manual_scores[4].criterion_code"]
        },
        {
            "criterion of another case", [("so-khcn", "M1"), ("so-khcn", "m2"), ("so-tc", "M1"), ("so-tc", "M2")],
            ["manual_scores[1].criterion_code", "manual_scores"]
        },
        {
            "computed criterion", [("so-khcn", "M1"), ("so-khcn", "M2"), ("so-tc", "M1"), ("so-tc", "M2"), ("so-tc", "C1")],
            ["manual_scores[4].criterion_code"]
        },
        {
            "none at all", [],
            ["manual_scores", "manual_scores", "manual_scores", "manual_scores"]
        },
    };

    [Theory]
    [MemberData(nameof(BadManualScores))]
    public void T6_ManualScoresMustBeExactlyOnePerAgencyAndManualCriterion(string @case, (string Agency, string Code)[] given, string[] fields)
    {
        var criteria = Criteria(OnTime("C1"), Manual("M1"), Manual("M2"));
        var manual = given.Select(g => Score(g.Agency, g.Code, 8000));

        var error = Assert.Throws<InvalidArgumentException>(() => Inputs(criteria, TwoAgencies, manual: manual));

        Assert.True(fields.SequenceEqual(error.Violations.Select(v => v.Field)), @case + ": " + error.Message);
        Assert.All(error.Violations, v => Assert.False(string.IsNullOrWhiteSpace(v.DescriptionVi)));
    }

    [Fact]
    public void T6_MissingManualScoreNamesTheAgencyAndTheCriterion()
    {
        var criteria = Criteria(OnTime("C1"), Manual("M1"));

        var error = Assert.Throws<InvalidArgumentException>(() => Inputs(criteria, TwoAgencies, manual: [Score("so-khcn", "M1", 9000)]));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("manual_scores", violation.Field);
        Assert.Contains("so-tc", violation.Description);
        Assert.Contains("M1", violation.Description);
        Assert.Contains("so-tc", violation.DescriptionVi);
        Assert.Contains("chưa có điểm", violation.DescriptionVi);
    }

    [Fact]
    public void T6_ManyMissingManualScoresAreSummarised()
    {
        var agencies = Enumerable.Range(0, 60).Select(i => Agency($"xa-{i:00}")).ToList();

        var error = Assert.Throws<InvalidArgumentException>(() => Inputs(Criteria(Manual("M1")), agencies));

        Assert.Equal(51, error.Violations.Count);
        Assert.Contains("10 more", error.Violations[^1].Description);
    }

    [Fact]
    public void T6_SnapshotKeepsOnlyFactsOfThePeriodAndTheRound()
    {
        var tasks = new[]
        {
            Task("due-first-day", "so-tc", From),
            Task("due-last-day", "so-tc", To),
            Task("overdue-from-before", "so-tc", From - 30),
            Task("completed-after-period", "so-tc", From - 30, To + 1),
            Task("done-before-period", "so-tc", From - 30, From - 1),
            Task("done-late-in-period", "so-tc", From - 30, From + 5),
            Task("due-after-period", "so-tc", To + 1),
            Task("other-agency", "so-xd", From + 10),
        };
        var reports = new[]
        {
            Report("tcv-1", "so-khcn", "2027-q1", To, To),
            Report("tcv-1", "so-khcn", "2026-q4", From - 1, From - 1),
            Report("tcv-1", "so-khcn", "2027-q2", To + 1),
            Report("tcv-9", "so-xd", "2027-q1", To),
        };
        var findings = new[]
        {
            Finding("kn-1", "so-tc", From),
            Finding("kn-2", "so-tc", To),
            Finding("kn-3", "so-tc", From - 1),
            Finding("kn-4", "so-tc", To + 1),
            Finding("kn-5", "so-xd", From + 1),
        };

        var inputs = Inputs(Criteria(OnTime()), TwoAgencies, tasks, reports, findings);

        Assert.Equal(
            ["completed-after-period", "due-first-day", "due-last-day", "overdue-from-before"],
            inputs.Tasks.Select(t => t.TaskId));
        Assert.Equal(["2027-q1"], inputs.Reports.Select(r => r.PeriodId));
        Assert.Equal(["kn-1", "kn-2"], inputs.Findings.Select(f => f.RecommendationId));
        Assert.Equal(CommitteeId, inputs.CommitteeId);
        Assert.Equal(Q1, inputs.Period);
    }

    [Fact]
    public void T6_SnapshotListsAreSortedOrdinally()
    {
        // Ordinal, not culture: "Z" sorts before "a", and "đ" after every ASCII letter.
        var agencies = new[] { Agency("đoan-bai"), Agency("an-ha"), Agency("Zeta"), Agency("B") };
        var tasks = new[] { Task("t2", "an-ha", From), Task("t1", "an-ha", From), Task("t0", "Zeta", From), Task("t3", "B", From) };

        var inputs = Inputs(Criteria(OnTime()), agencies, tasks);

        Assert.Equal(["B", "Zeta", "an-ha", "đoan-bai"], inputs.Agencies.Select(a => a.AgencyId));
        Assert.Equal(["t3", "t0", "t1", "t2"], inputs.Tasks.Select(t => t.TaskId));
    }

    [Fact]
    public void T6_SnapshotDoesNotShareTheCallersMessages()
    {
        var task = Task("t1", "so-tc", From + 1);
        var inputs = Inputs(Criteria(OnTime()), TwoAgencies, [task]);

        task.CompletedDay = From + 1;

        Assert.Equal(0, inputs.Tasks[0].CompletedDay);
    }

    [Fact]
    public void T6_TaskListedTwiceIsACallerBug()
    {
        var tasks = new[] { Task("t1", "so-tc", From + 1), Task("t1", "so-khcn", From + 2) };

        Assert.Throws<ArgumentException>(() => Inputs(Criteria(OnTime()), TwoAgencies, tasks));
    }
}
