using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.Tasks.Domain.Scoring;
using static Bcd.Tasks.Tests.Domain.Scoring.ScoringScenario;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>T6: a criteria version's rules beyond the proto — unique codes, penalties only where they count.</summary>
public sealed class CriteriaRulesTests
{
    private static PublishCriteriaVersionRequest Request(params Criterion[] criteria)
    {
        var request = new PublishCriteriaVersionRequest { RequestId = "req-00000001", CommitteeId = CommitteeId, Name = "Bộ tiêu chí 2027" };
        request.Criteria.AddRange(criteria);
        return request;
    }

    [Fact]
    public void T6_WellFormedCriteriaVersionHasNoViolations()
    {
        var request = Request(OnTime(), Completion(), Overdue(), Reports(), Findings(), Manual());

        Assert.Empty(CriteriaRules.Check(request));
    }

    [Theory]
    [InlineData("C1", "C1")]
    [InlineData("C1", "c1")]
    [InlineData("chi-so.a", "CHI-SO.A")]
    public void T6_DuplicateCriterionCodeIgnoringCaseIsRefused(string first, string second)
    {
        var request = Request(OnTime(first), Manual("M1"), Completion(second));

        var violation = Assert.Single(CriteriaRules.Check(request));

        Assert.Equal("criteria[2].code", violation.Field);
        Assert.Equal("criterion.code_unique", violation.RuleId);
        Assert.Contains("criteria[0]", violation.Description);
        Assert.Contains("trùng", violation.DescriptionVi);
    }

    public static TheoryData<Indicator, int, bool> Penalties => new()
    {
        { Indicator.OverdueCount, 500, true },
        { Indicator.OverdueCount, 0, false },
        { Indicator.InspectionFindings, 1, true },
        { Indicator.InspectionFindings, 0, false },
        { Indicator.OnTimeCompletionRate, 0, true },
        { Indicator.OnTimeCompletionRate, 500, false },
        { Indicator.CompletionRate, 100, false },
        { Indicator.ReportTimeliness, 100, false },
        { Indicator.Manual, 0, true },
        { Indicator.Manual, 10000, false },
    };

    [Theory]
    [MemberData(nameof(Penalties))]
    public void T6_PenaltyIsRequiredForCountIndicatorsAndRefusedForOthers(Indicator indicator, int penalty, bool valid)
    {
        var request = Request(OnTime("C0"), Criterion("CX", indicator, penalty: penalty));

        var violations = CriteriaRules.Check(request);

        if (valid)
        {
            Assert.Empty(violations);
        }
        else
        {
            var violation = Assert.Single(violations);
            Assert.Equal("criteria[1].penalty_centi", violation.Field);
            Assert.NotEmpty(violation.DescriptionVi);
        }
    }

    [Fact]
    public void T6_EveryCriteriaViolationIsReportedAtOnce()
    {
        var request = Request(Overdue("C1", penalty: 0), OnTime("c1"), Criterion("C3", Indicator.Manual, penalty: 200));

        var error = Assert.Throws<InvalidArgumentException>(() => CriteriaRules.CheckOrThrow(request));

        Assert.Equal(
            ["criteria[0].penalty_centi", "criteria[1].code", "criteria[2].penalty_centi"],
            error.Violations.Select(v => v.Field));
    }
}
