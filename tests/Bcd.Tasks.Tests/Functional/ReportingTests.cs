using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Grpc.Core;
using static Bcd.Projections.Membership.Tests.MembershipHistory;
using static Bcd.Tasks.Tests.Functional.TasksHost;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>
/// T5 over real gRPC against a real Redis: the Standing Agency opens a reporting period, each working
/// group expected reports online by its leader or its lead agency, on time or late in province days,
/// and the timeliness feeds REPORT_TIMELINESS in scoring (T6).
/// </summary>
[Collection(TasksRedisCollection.Name)]
public sealed class ReportingTests(RedisFixture redis)
{
    /// <summary>A second working group (WG-PAR, led by Sở Nội vụ, its leader the Director of Sở Nội vụ).</summary>
    private const string ParGroupId = "wg-par";

    private static readonly DateOnly CutOff = new(2026, 9, 30);
    private static readonly DateOnly Due = new(2026, 10, 10);

    [Fact]
    public async Task T5_OnlyTheStandingAgencyOpensAReportingPeriod()
    {
        await using var host = await TasksHost.StartAsync(redis);

        var byHead = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.OpenReportingPeriodAsync(OpenRequest(), As(HeadToken)).ResponseAsync);
        var byLeader = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.OpenReportingPeriodAsync(OpenRequest(), As(KhcnToken)).ResponseAsync);
        var opened = (await host.Tasks.OpenReportingPeriodAsync(OpenRequest(), As(StandingAgencyToken))).Period;

        Assert.Equal(StatusCode.PermissionDenied, byHead.StatusCode);
        Assert.Equal("NOT_STANDING_AGENCY", ScoringSteps.Reason(byHead));
        Assert.Equal(StatusCode.PermissionDenied, byLeader.StatusCode);
        Assert.Equal(("STANDING_AGENCY", ReportingPeriodKind.Quarter), (opened.OpenedBy.ActingAs, opened.Kind));
        Assert.Equal((CutOff, Due), (opened.CutOff.ToDateOnly(), opened.Due.ToDateOnly()));
        Assert.Equal(opened.PeriodId, Assert.Single((await ListAsync(host)).Periods).PeriodId);
    }

    [Fact]
    public async Task T5_ReportsDueBeforeTheCutOffAreRefusedNamingDue()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var request = OpenRequest();
        request.Due = CutOff.AddDays(-1).ToProtoDate();

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.OpenReportingPeriodAsync(request, As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["due"], TasksServiceTests.Violations(ex).Select(v => v.Field));
        Assert.Empty((await ListAsync(host)).Periods);
    }

    [Fact]
    public async Task T5_WithoutGroupsNamedEveryGroupOfTheCommitteeIsExpected()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await FormParGroupAsync(host);

        var period = await OpenAsync(host);

        Assert.Equal([ParGroupId, GroupId], period.GroupIds.Order(StringComparer.Ordinal));
        Assert.Equal([ParGroupId, GroupId], period.MissingGroupIds.Order(StringComparer.Ordinal));
        Assert.Empty(period.Reports);
    }

    [Fact]
    public async Task T5_TheGroupLeaderReportingOnTheDueDayIsOnTime()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var period = await OpenAsync(host);
        // The last second of the due day in Hà Nội (16:59:59 UTC).
        host.Time.SetUtcNow(new DateTimeOffset(Due.Year, Due.Month, Due.Day, 23, 59, 59, Vn));

        var submitted = await SubmitAsync(host, period.PeriodId, GroupId, KhcnToken);

        var report = Assert.Single(submitted.Reports);
        Assert.True(report.OnTime);
        Assert.Equal((MemberKhcn, "GROUP_LEADER"), (report.SubmittedBy.PersonId, report.SubmittedBy.ActingAs));
        Assert.Empty(submitted.MissingGroupIds);
        Assert.Equal(1, await ScoringSteps.PublishedCountAsync(host, GroupReportSubmitted.Descriptor));
    }

    [Fact]
    public async Task T5_StaffOfTheGroupsLeadAgencyMaySubmitItsReport()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var period = await OpenAsync(host);

        var submitted = await SubmitAsync(host, period.PeriodId, GroupId, KhcnStaffToken);

        var report = Assert.Single(submitted.Reports);
        Assert.Equal(("chuyen-vien-so-khcn", "GROUP_LEAD_AGENCY", "so-khcn"),
            (report.SubmittedBy.PersonId, report.SubmittedBy.ActingAs, report.SubmittedBy.AgencyId));
        Assert.True(report.OnTime);
    }

    [Fact]
    public async Task T5_AMemberWhoIsNeitherLeaderNorOfTheLeadAgencyCannotSubmit()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var period = await OpenAsync(host);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.SubmitGroupReportAsync(
            SubmitRequest(period.PeriodId, GroupId), As(NoiVuToken)).ResponseAsync);
        var byStandingAgency = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.SubmitGroupReportAsync(
            SubmitRequest(period.PeriodId, GroupId), As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("NOT_GROUP_REPORTER", ScoringSteps.Reason(ex));
        Assert.Equal(StatusCode.PermissionDenied, byStandingAgency.StatusCode);
        var stored = await GetAsync(host, period.PeriodId);
        Assert.Empty(stored.Reports);
        Assert.Equal([GroupId], stored.MissingGroupIds);
    }

    [Fact]
    public async Task T5_AReportFromMidnightAfterTheDueDayIsLate()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var period = await OpenAsync(host);
        // 00:00 of the day after the due day in Hà Nội is still the due day in UTC (17:00 on 10/10).
        host.Time.SetUtcNow(new DateTimeOffset(Due.Year, Due.Month, Due.Day + 1, 0, 0, 0, Vn));

        var submitted = await SubmitAsync(host, period.PeriodId, GroupId, KhcnToken);

        Assert.False(Assert.Single(submitted.Reports).OnTime);
        Assert.Empty(submitted.MissingGroupIds);
        Assert.Equal("GROUP_REPORT_SUBMITTED", submitted.History[^1].Action);
    }

    [Fact]
    public async Task T5_MissingGroupsAreListedUntilTheirReportArrives()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await FormParGroupAsync(host);
        var period = await OpenAsync(host);

        var before = await GetAsync(host, period.PeriodId);
        await SubmitAsync(host, period.PeriodId, GroupId, KhcnToken);
        var afterOne = await GetAsync(host, period.PeriodId);
        var listed = Assert.Single((await ListAsync(host)).Periods);
        await SubmitAsync(host, period.PeriodId, ParGroupId, NoiVuToken);
        var afterBoth = await GetAsync(host, period.PeriodId);

        Assert.Equal([ParGroupId, GroupId], before.MissingGroupIds.Order(StringComparer.Ordinal));
        Assert.Equal([ParGroupId], afterOne.MissingGroupIds);
        Assert.Equal([ParGroupId], listed.MissingGroupIds);
        Assert.Empty(afterBoth.MissingGroupIds);
        Assert.Equal([ParGroupId, GroupId], afterBoth.Reports.Select(r => r.GroupId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task T5_AReportForAGroupNotExpectedIsRefused()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await FormParGroupAsync(host);
        var period = await OpenAsync(host, GroupId);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.SubmitGroupReportAsync(
            SubmitRequest(period.PeriodId, ParGroupId), As(NoiVuToken)).ResponseAsync);

        Assert.Equal([GroupId], period.GroupIds);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("GROUP_NOT_EXPECTED", ScoringSteps.Reason(ex));
        Assert.Empty((await GetAsync(host, period.PeriodId)).Reports);
    }

    [Theory]
    [InlineData(10, true, 10000)]
    [InlineData(11, false, 0)]
    public async Task T5_ReportTimelinessInScoringReflectsTheGroupReport(int submittedDay, bool onTime, int expectedCenti)
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host,
            ScoringSteps.Criterion("R1", "Báo cáo của Tổ công tác đúng hạn", Indicator.ReportTimeliness, 1));
        var period = await OpenAsync(host);
        ScoringSteps.At(host, new DateOnly(2026, 10, submittedDay), hour: 15);
        var submitted = await SubmitAsync(host, period.PeriodId, GroupId, KhcnToken);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));

        var round = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        Assert.Equal(onTime, Assert.Single(submitted.Reports).OnTime);
        // Sở KH&CN leads WG-STI-DX, whose report was due on 10/10, within the quarter.
        var khcn = ScoringSteps.Of(round, "so-khcn").Criteria.Single();
        Assert.Equal((true, onTime ? 1 : 0, 1, expectedCenti), (khcn.Applicable, khcn.Numerator, khcn.Denominator, khcn.ScoreCenti));
        // No other agency leads a group: nothing was expected of them.
        Assert.All(round.Result.Scores.Where(s => s.AgencyId != "so-khcn"), s => Assert.False(s.Criteria.Single().Applicable));
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static OpenReportingPeriodRequest OpenRequest(params string[] groupIds)
    {
        var request = new OpenReportingPeriodRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, Kind = ReportingPeriodKind.Quarter, Label = "Quý III/2026",
            CutOff = CutOff.ToProtoDate(), Due = Due.ToProtoDate(),
        };
        request.GroupIds.Add(groupIds);
        return request;
    }

    private static async Task<ReportingPeriod> OpenAsync(TasksHost host, params string[] groupIds) =>
        (await host.Tasks.OpenReportingPeriodAsync(OpenRequest(groupIds), As(StandingAgencyToken))).Period;

    private static SubmitGroupReportRequest SubmitRequest(string periodId, string groupId) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, PeriodId = periodId, GroupId = groupId,
        Summary = "Tổ đã rà soát 12 nhiệm vụ: 8 hoàn thành, 3 đang thực hiện, 1 quá hạn.",
    };

    private static async Task<ReportingPeriod> SubmitAsync(TasksHost host, string periodId, string groupId, string token) =>
        (await host.Tasks.SubmitGroupReportAsync(SubmitRequest(periodId, groupId), As(token))).Period;

    private static async Task<ReportingPeriod> GetAsync(TasksHost host, string periodId) =>
        (await host.Tasks.GetReportingPeriodAsync(new GetReportingPeriodRequest { CommitteeId = CommitteeId, PeriodId = periodId }, As(HeadToken))).Period;

    private static Task<ListReportingPeriodsResponse> ListAsync(TasksHost host) =>
        host.Tasks.ListReportingPeriodsAsync(new ListReportingPeriodsRequest { CommitteeId = CommitteeId }, As(HeadToken)).ResponseAsync;

    /// <summary>Membership forms WG-PAR (led by Sở Nội vụ), delivered after the host's eleven founding events.</summary>
    private static async Task FormParGroupAsync(TasksHost host)
    {
        var group = Group(1, (MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.Leader), (MemberKhcn, "Giám đốc Sở KH&CN", "so-khcn", GroupRole.Member));
        group.GroupId = ParGroupId;
        group.Code = "WG-PAR";
        group.Name = "Tổ Công tác cải cách hành chính";
        group.LeadAgencyId = "so-noi-vu";
        Assert.Equal(DispatchOutcome.Handled, await host.DeliverAsync(
            new WorkingGroupFormed { CommitteeId = CommitteeId, Group = group }, "evt-membership-12", sequence: Seq(12)));
    }
}
