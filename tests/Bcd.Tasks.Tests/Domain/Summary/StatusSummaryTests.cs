using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain.Summary;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Tasks.Tests.Domain.Summary;

/// <summary>
/// T3, T5: the status summary counts the tasks due in a period, by lead agency and by working group, with
/// each status as of the end of the period (or now, if earlier) in province time.
/// </summary>
public sealed class StatusSummaryTests
{
    private static readonly DateOnly From = new(2027, 1, 1);
    private static readonly DateOnly To = new(2027, 6, 30);

    private static readonly Dictionary<string, string> AgencyNames = new()
    {
        ["so-khcn"] = "Sở Khoa học và Công nghệ",
        ["so-noi-vu"] = "Sở Nội vụ",
        // Its key sorts first, its name after "Sở Nội vụ": rows follow the name.
        ["a-tai-chinh"] = "Sở Tài chính",
    };

    private static readonly Dictionary<string, string> GroupNames = new()
    {
        ["tct-so"] = "Tổ Chuyển đổi số",
        ["tct-06"] = "Tổ Đề án 06",
    };

    private static DateTimeOffset Local(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(7));

    private static AssignedTask Task(string lead, string group, DateOnly deadline, DateOnly? completedOn = null, DateOnly? reportedOn = null)
    {
        var task = new AssignedTask
        {
            TaskId = $"t-{lead}-{deadline:yyyyMMdd}-{Guid.NewGuid():N}",
            Directive = new Directive { Work = "Việc", LeadAgencyId = lead, Deadline = deadline.ToProtoDate(), ExpectedResult = "Báo cáo" },
            WorkingGroupId = group,
            CompletedOn = completedOn?.ToProtoDate(),
        };
        if (reportedOn is { } day)
        {
            task.Reports.Add(new ProgressReport { Percent = completedOn is null ? 50 : 100, ReportedAt = Timestamp.FromDateTimeOffset(Local(day.Year, day.Month, day.Day, 15)) });
        }

        return task;
    }

    /// <summary>One task of each status as of the end of June 2027, plus two due just outside the period.</summary>
    private static AssignedTask[] HalfYear() =>
    [
        // Due on the last day, in progress: still on time at the end of that day, though overdue by August.
        Task("so-khcn", "tct-so", To, reportedOn: new(2027, 6, 20)),
        Task("so-khcn", "tct-so", To),
        Task("so-noi-vu", "", new(2027, 3, 31), reportedOn: new(2027, 3, 1)),
        Task("so-noi-vu", "", new(2027, 3, 31), completedOn: new(2027, 3, 31), reportedOn: new(2027, 3, 31)),
        Task("a-tai-chinh", "tct-06", new(2027, 3, 31), completedOn: new(2027, 4, 2), reportedOn: new(2027, 4, 2)),
        // Completed in July: after the end of the period, so overdue as of its end.
        Task("ubnd-xa-ao", "tct-x", new(2027, 5, 31), completedOn: new(2027, 7, 5), reportedOn: new(2027, 5, 1)),
        Task("so-khcn", "tct-x", From, completedOn: new(2026, 12, 30), reportedOn: new(2026, 12, 30)),
        // A report after the period does not count yet.
        Task("so-noi-vu", "tct-x", To, reportedOn: new(2027, 7, 1)),
        Task("so-khcn", "tct-so", new(2026, 12, 31)),
        Task("so-khcn", "tct-so", new(2027, 7, 1), reportedOn: new(2027, 6, 1)),
    ];

    private static StatusCounts Counts(int notStarted = 0, int onTime = 0, int overdue = 0, int completedOnTime = 0, int completedLate = 0) => new()
    {
        Total = notStarted + onTime + overdue + completedOnTime + completedLate,
        NotStarted = notStarted,
        InProgressOnTime = onTime,
        InProgressOverdue = overdue,
        CompletedOnTime = completedOnTime,
        CompletedLate = completedLate,
    };

    [Fact]
    public void T3_SummaryCountsEachStatusAsOfTheEndOfThePeriod()
    {
        var summary = StatusSummary.Compute(HalfYear(), From, To, Local(2027, 8, 15, 10), AgencyNames, GroupNames);

        Assert.Equal(Counts(notStarted: 2, onTime: 1, overdue: 2, completedOnTime: 2, completedLate: 1), summary.Total);
        Assert.Equal(
        [
            ("so-khcn", "Sở Khoa học và Công nghệ", Counts(notStarted: 1, onTime: 1, completedOnTime: 1)),
            ("so-noi-vu", "Sở Nội vụ", Counts(notStarted: 1, overdue: 1, completedOnTime: 1)),
            ("a-tai-chinh", "Sở Tài chính", Counts(completedLate: 1)),
            ("ubnd-xa-ao", "ubnd-xa-ao", Counts(overdue: 1)),
        ], summary.ByAgency.Select(r => (r.Key, r.Name, r.Counts)));
    }

    [Fact]
    public void T5_SummaryByWorkingGroupNamesTasksOfNoGroupAndFallsBackToTheId()
    {
        var summary = StatusSummary.Compute(HalfYear(), From, To, Local(2027, 8, 15, 10), AgencyNames, GroupNames);

        Assert.Equal(
        [
            ("", StatusSummary.NoWorkingGroupName, Counts(overdue: 1, completedOnTime: 1)),
            ("tct-so", "Tổ Chuyển đổi số", Counts(notStarted: 1, onTime: 1)),
            ("tct-06", "Tổ Đề án 06", Counts(completedLate: 1)),
            ("tct-x", "tct-x", Counts(notStarted: 1, overdue: 1, completedOnTime: 1)),
        ], summary.ByWorkingGroup.Select(r => (r.Key, r.Name, r.Counts)));
        Assert.Equal("Không thuộc tổ công tác / No working group", StatusSummary.NoWorkingGroupName);
    }

    [Fact]
    public void T3_SummaryOfAPeriodNotYetEndedIsAsOfNow()
    {
        var now = Local(2027, 3, 31, 10);

        var summary = StatusSummary.Compute(HalfYear(), From, To, now, AgencyNames, GroupNames);

        Assert.Equal(now, summary.AsOf.ToDateTimeOffset());
        // On 31/03 the task in progress due that day is on time, and reports and completions of later days
        // do not count yet: the one completed on 02/04 has not started.
        Assert.Equal(Counts(notStarted: 5, onTime: 1, completedOnTime: 2), summary.Total);
    }

    [Fact]
    public void T3_StatusesAreTakenAtTheLastInstantOfThePeriodInProvinceTime()
    {
        var endOfJune = new DateTimeOffset(2027, 6, 30, 23, 59, 59, TimeSpan.FromHours(7)).AddTicks(TimeSpan.TicksPerSecond - 1);

        Assert.Equal(endOfJune, StatusSummary.AsOf(To, Local(2027, 8, 15, 10)));
        Assert.Equal(endOfJune, StatusSummary.AsOf(To, ProvinceTime.StartOfDay(new DateOnly(2027, 7, 1))));
        Assert.Equal(endOfJune, StatusSummary.Compute([], From, To, Local(2028, 1, 1, 0), AgencyNames, GroupNames).AsOf.ToDateTimeOffset());
        var justBefore = endOfJune.AddTicks(-1);
        Assert.Equal(justBefore, StatusSummary.AsOf(To, justBefore));
    }

    [Fact]
    public void T3_TaskDueOnTheLastDayIsOverdueOnlyFromTheNextDay()
    {
        var task = Task("so-khcn", "", To, reportedOn: new(2027, 6, 1));

        var inPeriod = StatusSummary.Compute([task], From, To, Local(2027, 12, 1, 9), AgencyNames, GroupNames);
        var nextPeriod = StatusSummary.Compute([task], From, To.AddDays(1), Local(2027, 12, 1, 9), AgencyNames, GroupNames);

        Assert.Equal(Counts(onTime: 1), inPeriod.Total);
        Assert.Equal(Counts(overdue: 1), nextPeriod.Total);
    }

    [Fact]
    public void T5_RowsWithTheSameNameAreOrderedByKey()
    {
        var names = new Dictionary<string, string> { ["tct-b"] = "Tổ công tác", ["tct-a"] = "Tổ công tác" };

        var summary = StatusSummary.Compute([Task("so-khcn", "tct-b", To), Task("so-khcn", "tct-a", To)], From, To, Local(2027, 1, 2, 8), AgencyNames, names);

        Assert.Equal(["tct-a", "tct-b"], summary.ByWorkingGroup.Select(r => r.Key));
    }

    [Fact]
    public void T3_PeriodEndingBeforeItStartsIsRefused()
    {
        var ex = Assert.Throws<InvalidArgumentException>(() =>
            StatusSummary.Compute([], To, From, Local(2027, 8, 15, 10), AgencyNames, GroupNames));

        Assert.Equal("to", Assert.Single(ex.Violations).Field);
    }
}
