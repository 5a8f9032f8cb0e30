using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Reminders;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static Bcd.Projections.Membership.Tests.MembershipHistory;
using static Bcd.Tasks.Tests.Functional.TasksHost;
using TaskStatus = Bcd.Contracts.Tasks.V1.TaskStatus;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>TasksService over real gRPC against a real Redis: T1–T4, reminders, CSV import.</summary>
[Collection(TasksRedisCollection.Name)]
public sealed class TasksServiceTests(RedisFixture redis)
{
    public static TheoryData<string, Action<Directive>> MissingClears => new()
    {
        { "directive.work", d => d.Work = string.Empty },
        { "directive.lead_agency_id", d => d.LeadAgencyId = string.Empty },
        // Zero coordinating agencies is allowed; the same one twice is not.
        { "directive.coordinating_agency_ids", d => d.CoordinatingAgencyIds.Add(["so-noi-vu", "so-noi-vu"]) },
        { "directive.deadline", d => d.Deadline = null },
        { "directive.expected_result", d => d.ExpectedResult = string.Empty },
        { "directive.assigning_authority", d => d.AssigningAuthority = null },
    };

    [Theory]
    [MemberData(nameof(MissingClears))]
    public async Task T1_EachOfTheSixClearsMissingIsRefusedNamingIt(string field, Action<Directive> spoil)
    {
        await using var host = await TasksHost.StartAsync(redis);
        var directive = TasksHost.Directive();
        spoil(directive);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(AssignRequest(directive), As(HeadToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(Violations(ex), v => v.Field == field);
        Assert.Empty((await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks);
    }

    [Fact]
    public async Task T1_TheLeadAgencyCannotAlsoCoordinate()
    {
        await using var host = await TasksHost.StartAsync(redis);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(
            AssignRequest(TasksHost.Directive(lead: "so-khcn", coordinating: ["so-noi-vu", "so-khcn"])), As(HeadToken)).ResponseAsync);

        // A rule across two fields (protovalidate message rule): the violation names the directive and the rule.
        var violation = Assert.Single(Violations(ex));
        Assert.Equal("directive", violation.Field);
        Assert.Contains("coordinating", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task T1_DeadlineTodayOrUnknownLeadIsRefusedNamingTheField()
    {
        await using var host = await TasksHost.StartAsync(redis);

        var today = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(
            AssignRequest(TasksHost.Directive(deadline: new DateOnly(2026, 9, 1))), As(HeadToken)).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(
            AssignRequest(TasksHost.Directive(lead: "so-khong-ton-tai")), As(HeadToken)).ResponseAsync);

        Assert.Contains(Violations(today), v => v.Field == "directive.deadline");
        Assert.Contains(Violations(unknown), v => v.Field == "directive.lead_agency_id");
    }

    [Fact]
    public async Task T1_AMemberCannotAssignAndTheAuthorityMustNameTheCaller()
    {
        await using var host = await TasksHost.StartAsync(redis);

        var member = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(
            AssignRequest(TasksHost.Directive(assigner: MemberKhcn, actingAs: "MEMBER")), As(KhcnToken)).ResponseAsync);
        var someoneElse = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(
            AssignRequest(TasksHost.Directive(assigner: Head)), As(DeputyToken)).ResponseAsync);
        var deputy = await host.AssignAsync(TasksHost.Directive(assigner: Deputy, actingAs: "DEPUTY_HEAD"), token: DeputyToken);

        Assert.Equal(StatusCode.PermissionDenied, member.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, someoneElse.StatusCode);
        Assert.Contains(Violations(someoneElse), v => v.Field == "directive.assigning_authority.person_id");
        Assert.Equal("DEPUTY_HEAD", deputy.AssignedBy.ActingAs);
        Assert.Equal(TaskStatus.NotStarted, deputy.Status);
    }

    [Fact]
    public async Task T1_ARetriedAssignmentCreatesOneTask()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var request = AssignRequest();

        var first = await host.Tasks.AssignTaskAsync(request, As(HeadToken));
        var retry = await host.Tasks.AssignTaskAsync(request, As(HeadToken));

        Assert.Equal(first.Task.TaskId, retry.Task.TaskId);
        Assert.Single((await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks);
    }

    [Fact]
    public async Task T2_ConclusionWithThreeDirectivesDeliveredTwiceYieldsThreeTasks()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var issued = Conclusion("ntc-1", 3);

        Assert.Equal(DispatchOutcome.Handled, await host.DeliverAsync(issued, "evt-conclusion-1", "meetings"));
        Assert.Equal(DispatchOutcome.AlreadyHandled, await host.DeliverAsync(issued, "evt-conclusion-1", "meetings"));
        // A replay under another event id (e.g. after the inbox forgot it) finds the tasks by their derived ids.
        Assert.Equal(DispatchOutcome.Handled, await host.DeliverAsync(issued, "evt-conclusion-1-replayed", "meetings"));

        var tasks = (await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks;
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("ntc-1", t.Source.Conclusion.NoticeId));
        Assert.Equal(["1/TB-BCĐ"], tasks.Select(t => t.Source.Conclusion.NoticeNumber).Distinct());
        Assert.Equal(3, await host.PublishedCountAsync(TaskAssigned.Descriptor));
    }

    [Fact]
    public async Task T2_ManualAssignmentCannotClaimAConclusionAsItsSource()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var request = AssignRequest();
        request.Source = new TaskSource { Conclusion = new ConclusionSource { NoticeId = "ntc-x" } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.AssignTaskAsync(request, As(HeadToken)).ResponseAsync);

        Assert.Contains(Violations(ex), v => v.Field == "source");
    }

    [Fact]
    public async Task T2_ARecommendationBecomesOneFollowUpTask()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var recommendation = new RecommendationIssued
        {
            CommitteeId = CommitteeId, InspectionId = "ins-1", RecommendationId = "rec-1", AgencyId = "so-noi-vu",
            Finding = "Chậm số hóa hồ sơ", Recommendation = "Hoàn thành số hóa",
            FollowUp = TasksHost.Directive(lead: "so-noi-vu"), OccurredAt = Timestamp.FromDateTimeOffset(Start), Actor = new Actor { PersonId = Head },
        };

        await host.DeliverAsync(recommendation, "evt-rec-1", "inspections");
        await host.DeliverAsync(recommendation, "evt-rec-1-again", "inspections");

        var task = Assert.Single((await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks);
        Assert.Equal("rec-1", task.Source.Recommendation.RecommendationId);
        Assert.Equal("so-noi-vu", task.Directive.LeadAgencyId);
    }

    [Fact]
    public async Task T3_StatusFlipsToOverdueAtMidnightAfterTheDeadlineInHaNoi()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync(TasksHost.Directive(deadline: new DateOnly(2026, 9, 30)));
        await host.ReportAsync(task.TaskId, 40);

        host.Time.SetUtcNow(new DateTimeOffset(2026, 9, 30, 23, 59, 59, Vn));
        var lastSecond = await GetAsync(host, task.TaskId);
        host.Time.SetUtcNow(new DateTimeOffset(2026, 10, 1, 0, 0, 0, Vn));
        var midnight = await GetAsync(host, task.TaskId);

        Assert.Equal(TaskStatus.InProgressOnTime, lastSecond.Status);
        Assert.Equal(TaskStatus.InProgressOverdue, midnight.Status);
    }

    [Fact]
    public async Task T3_CompletionOnTheDeadlineIsOnTimeAndAfterItLate()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var onTime = await host.AssignAsync(TasksHost.Directive(deadline: new DateOnly(2026, 9, 30)));
        var late = await host.AssignAsync(TasksHost.Directive(deadline: new DateOnly(2026, 9, 29)));

        host.Time.SetUtcNow(new DateTimeOffset(2026, 9, 30, 16, 0, 0, Vn));
        var done = await host.ReportAsync(onTime.TaskId, 100);
        var doneLate = await host.ReportAsync(late.TaskId, 100);

        Assert.Equal(TaskStatus.CompletedOnTime, done.Status);
        Assert.Equal(TaskStatus.CompletedLate, doneLate.Status);
        var again = await Assert.ThrowsAsync<RpcException>(() => host.ReportAsync(onTime.TaskId, 90));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task T3_OnlyTheLeadAgencyReportsProgress()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.ReportAsync(task.TaskId, 10, NoiVuToken));
        var staff = await host.ReportAsync(task.TaskId, 10, KhcnStaffToken);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal(10, staff.ProgressPercent);
        Assert.Equal("PROGRESS_REPORTED", staff.History[^1].Action);
    }

    [Fact]
    public async Task T3_ADeadlineChangeIsARequestTheAssigningAuthorityDecides()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync(TasksHost.Directive(deadline: new DateOnly(2026, 9, 30)));
        var requested = await host.Tasks.RequestDeadlineChangeAsync(new RequestDeadlineChangeRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = task.TaskId,
            ProposedDeadline = new DateOnly(2026, 10, 31).ToProtoDate(), Reason = "Chờ kinh phí",
        }, As(KhcnToken));
        var decide = new DecideDeadlineChangeRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = task.TaskId, ChangeId = requested.ChangeId, Approve = true,
        };

        var byDeputy = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.DecideDeadlineChangeAsync(decide, As(DeputyToken)).ResponseAsync);
        var decided = (await host.Tasks.DecideDeadlineChangeAsync(decide, As(HeadToken))).Task;

        Assert.Equal(StatusCode.PermissionDenied, byDeputy.StatusCode);
        Assert.Equal(new DateOnly(2026, 10, 31), decided.Directive.Deadline.ToDateOnly());
        Assert.Equal(new DateOnly(2026, 9, 30), decided.OriginalDeadline.ToDateOnly());
        Assert.Equal(DeadlineChangeStatus.Approved, Assert.Single(decided.DeadlineChanges).Status);
        Assert.Equal(["TASK_ASSIGNED", "DEADLINE_CHANGE_REQUESTED", "DEADLINE_CHANGED"], decided.History.Select(h => h.Action));
    }

    [Fact]
    public async Task T4_ObstaclesAreListedOpenByAgeUntilResolved()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync(TasksHost.Directive(coordinating: "so-noi-vu"));
        var raised = await host.Tasks.RaiseObstacleAsync(new RaiseObstacleRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = task.TaskId,
            Description = "Thiếu nhân lực CNTT", ProposedSolution = "Điều động cán bộ từ Công an tỉnh",
        }, As(NoiVuToken));
        host.Time.Advance(TimeSpan.FromDays(5));

        var open = await host.Tasks.ListObstaclesAsync(new ListObstaclesRequest { CommitteeId = CommitteeId }, As(StandingAgencyToken));
        await host.Tasks.ResolveObstacleAsync(new ResolveObstacleRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = task.TaskId, ObstacleId = raised.ObstacleId, Resolution = "Đã điều động 2 cán bộ",
        }, As(StandingAgencyToken));
        var stillOpen = await host.Tasks.ListObstaclesAsync(new ListObstaclesRequest { CommitteeId = CommitteeId }, As(StandingAgencyToken));
        var resolved = await host.Tasks.ListObstaclesAsync(new ListObstaclesRequest { CommitteeId = CommitteeId, Status = ObstacleStatus.Resolved }, As(HeadToken));

        Assert.Equal(5, Assert.Single(open.Obstacles).AgeDays);
        Assert.Empty(stillOpen.Obstacles);
        Assert.Equal("STANDING_AGENCY", Assert.Single(resolved.Obstacles).ResolvedBy.ActingAs);
    }

    [Fact]
    public async Task RemindersAreSentOncePerTaskAndThresholdAcrossRestarts()
    {
        // The app's own scanner also runs on the fake clock's timer; the outbox is what counts, whoever sent.
        var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync(TasksHost.Directive(deadline: new DateOnly(2026, 9, 30)));
        var sent = new List<(int DueSoon, int Overdue)>();

        host.Time.SetUtcNow(new DateTimeOffset(2026, 9, 22, 23, 59, 0, Vn));
        sent.Add(await ScanAndCountAsync(host));
        host.Time.SetUtcNow(new DateTimeOffset(2026, 9, 23, 0, 0, 0, Vn));
        sent.Add(await ScanAndCountAsync(host));
        sent.Add(await ScanAndCountAsync(host));
        var clock = host.Time.GetUtcNow();
        await host.DisposeAsync();

        // A new process on the same Redis (not flushed): what was sent is part of the task.
        var restarted = await RestartAsync(clock);
        sent.Add(await ScanAndCountAsync(restarted));
        restarted.Time.SetUtcNow(new DateTimeOffset(2026, 9, 29, 9, 0, 0, Vn));
        sent.Add(await ScanAndCountAsync(restarted));
        restarted.Time.SetUtcNow(new DateTimeOffset(2026, 10, 1, 0, 0, 0, Vn));
        sent.Add(await ScanAndCountAsync(restarted));
        sent.Add(await ScanAndCountAsync(restarted));

        // 8 days before: nothing; 7 days: due soon; again and after the restart: nothing new; 1 day: due soon; the day after: overdue, once.
        Assert.Equal([(0, 0), (1, 0), (1, 0), (1, 0), (2, 0), (2, 1), (2, 1)], sent);
        Assert.Equal(["due-soon:7", "due-soon:1", "overdue"], (await GetAsync(restarted, task.TaskId)).RemindersSent);
        await restarted.DisposeAsync();
    }

    private static async Task<(int DueSoon, int Overdue)> ScanAndCountAsync(TasksHost host)
    {
        await ScanAsync(host);
        return (await host.PublishedCountAsync(TaskDueSoon.Descriptor), await host.PublishedCountAsync(TaskOverdue.Descriptor));
    }

    [Fact]
    public async Task CsvImportIsAllOrNothingAndNamesEveryBadLine()
    {
        await using var host = await TasksHost.StartAsync(redis);
        const string header = "work,lead_agency_id,coordinating_agency_ids,deadline,expected_result,working_group_id,source,source_ref\n";
        var bad = header +
            "Số hóa hồ sơ,so-noi-vu,,2026-12-31,100% hồ sơ số hóa,,direction,\n" +
            "Kết nối CSDL,,so-khcn,2026-12-31,Kết nối xong,,direction,\n" +
            "Đào tạo,so-khcn,,31/12/2026,,wg-sti-dx,work_programme,2026/III.2\n";
        var good = header +
            "Số hóa hồ sơ,so-noi-vu,,2026-12-31,100% hồ sơ số hóa,,direction,\n" +
            "Kết nối CSDL,so-tai-chinh,so-khcn,2026-12-31,Kết nối xong,,direction,\n" +
            "Đào tạo,so-khcn,,31/12/2026,200 cán bộ,wg-sti-dx,work_programme,2026/III.2\n";

        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.ImportTasksAsync(new ImportTasksRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, Csv = bad,
        }, As(HeadToken)).ResponseAsync);
        var afterRefusal = (await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks.Count;
        var imported = await host.Tasks.ImportTasksAsync(new ImportTasksRequest { RequestId = NewRequestId(), CommitteeId = CommitteeId, Csv = good }, As(HeadToken));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["rows[3].lead_agency_id", "rows[4].expected_result"], Violations(refused).Select(v => v.Field).Order());
        Assert.Equal(0, afterRefusal);
        Assert.Equal(3, imported.Created);
        var tasks = (await host.Tasks.ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId, WorkingGroupId = GroupId }, As(HeadToken))).Tasks;
        Assert.Equal("III.2", Assert.Single(tasks).Source.WorkProgramme.ItemCode);
    }

    [Fact]
    public async Task X4_ACallerOfAnotherCommitteeSeesNoTask()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var task = await host.AssignAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.GetTaskAsync(
            new GetTaskRequest { CommitteeId = CommitteeId, TaskId = task.TaskId }, As(OtherCommitteeToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    internal static ConclusionIssued Conclusion(string noticeId, int directives)
    {
        var item = new ConclusionItem { Text = "Đẩy mạnh chuyển đổi số" };
        for (var i = 0; i < directives; i++)
        {
            var directive = TasksHost.Directive(lead: i % 2 == 0 ? "so-khcn" : "so-noi-vu");
            directive.Work = $"Nhiệm vụ {i + 1}";
            item.Directives.Add(directive);
        }

        var notice = new ConclusionNotice
        {
            NoticeId = noticeId, CommitteeId = CommitteeId, MeetingId = "mtg-1", Number = "1/TB-BCĐ", Year = 2026, Sequence = 1,
            IssuedAt = Timestamp.FromDateTimeOffset(Start), IssuedBy = new Actor { PersonId = Head, ActingAs = "HEAD" },
            Items = { item },
        };
        return new ConclusionIssued { Notice = notice, OccurredAt = notice.IssuedAt, Actor = notice.IssuedBy };
    }

    private async Task<TasksHost> RestartAsync(DateTimeOffset clock)
    {
        // StartAsync flushes; a restart must not, so the second process is started by hand on the same Redis.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(clock);
        var app = await TestApp.StartAsync(TasksApp.Create, Repo.Path("services", "Bcd.Tasks"),
            [$"--ConnectionStrings:redis={redis.Server.ConnectionString}", "--Service:Name=tasks"],
            b => b.Services.AddSingleton<TimeProvider>(time));
        return TasksHost.Attach(app, time);
    }

    private static Task<int> ScanAsync(TasksHost host) =>
        host.App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ReminderScanner>().Single().ScanAsync();

    private static async Task<AssignedTask> GetAsync(TasksHost host, string taskId) =>
        (await host.Tasks.GetTaskAsync(new GetTaskRequest { CommitteeId = CommitteeId, TaskId = taskId }, As(HeadToken))).Task;

    internal static IReadOnlyList<BadRequest.Types.FieldViolation> Violations(RpcException ex)
    {
        var status = ex.GetRpcStatus() ?? throw new Xunit.Sdk.XunitException("No google.rpc.Status in the error.");
        return status.GetDetail<BadRequest>()?.FieldViolations.ToList() ?? [];
    }
}
