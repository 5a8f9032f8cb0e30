using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain;
using Google.Protobuf.WellKnownTypes;
using TaskStatus = Bcd.Contracts.Tasks.V1.TaskStatus;

namespace Bcd.Tasks.Tests.Domain;

/// <summary>T3 status and the reminder thresholds, as pure rules (province days, Asia/Ho_Chi_Minh).</summary>
public sealed class TaskStatusAndReminderTests
{
    private static readonly DateOnly Deadline = new(2026, 9, 30);
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    [Theory]
    [InlineData("2026-09-29", null, false, TaskStatus.NotStarted)]
    [InlineData("2026-09-30", null, false, TaskStatus.NotStarted)]
    [InlineData("2026-10-01", null, false, TaskStatus.InProgressOverdue)] // never started, deadline passed: overdue
    [InlineData("2026-09-30", null, true, TaskStatus.InProgressOnTime)]
    [InlineData("2026-10-01", null, true, TaskStatus.InProgressOverdue)]
    [InlineData("2026-10-05", "2026-09-30", true, TaskStatus.CompletedOnTime)]
    [InlineData("2026-10-05", "2026-10-01", true, TaskStatus.CompletedLate)]
    public void T3_StatusIsComputedFromDeadlineCompletionAndToday(string today, string? completed, bool progress, TaskStatus expected)
    {
        var status = TaskStatusRules.Compute(Deadline, completed is null ? null : DateOnly.Parse(completed), progress, DateOnly.Parse(today));

        Assert.Equal(expected, status);
    }

    [Fact]
    public void T3_ACompletionAfterTheInstantAskedDoesNotCountYet()
    {
        var task = Task(completedOn: new DateOnly(2026, 9, 20));
        task.Reports.Add(new ProgressReport { Percent = 100, ReportedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 9, 20, 10, 0, 0, Vn)) });

        Assert.Equal(TaskStatus.NotStarted, task.StatusAt(new DateTimeOffset(2026, 9, 19, 23, 0, 0, Vn)));
        Assert.Equal(TaskStatus.CompletedOnTime, task.StatusAt(new DateTimeOffset(2026, 9, 20, 10, 0, 0, Vn)));
    }

    [Theory]
    [InlineData("2026-09-22T23:59:00+07:00", new string[0])]
    [InlineData("2026-09-23T00:00:00+07:00", new[] { "due-soon:7" })]
    [InlineData("2026-09-29T00:00:00+07:00", new[] { "due-soon:1" })]
    [InlineData("2026-09-30T23:59:59+07:00", new[] { "due-soon:1" })]
    [InlineData("2026-10-01T00:00:00+07:00", new[] { "overdue" })]
    public void RemindersFallDueAtProvinceMidnights(string now, string[] expected)
    {
        var task = new TaskAggregate(Task());

        Assert.Equal(expected, task.DueReminders(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), [7, 1]));
    }

    [Fact]
    public void AReminderIsSentOnceAndTheWiderThresholdsCrossedWithIt()
    {
        var task = new TaskAggregate(Task());
        var now = new DateTimeOffset(2026, 9, 29, 9, 0, 0, Vn);

        var events = task.SendReminders(task.DueReminders(now, [7, 1]), [7, 1], now);

        // Assigned the day before its deadline: one "due soon" (1 day), not also the 7-day one.
        var dueSoon = Assert.IsType<Bcd.Contracts.Events.V1.TaskDueSoon>(Assert.Single(events));
        Assert.Equal(1, dueSoon.DaysBefore);
        Assert.Empty(task.DueReminders(now, [7, 1]));
        Assert.Empty(task.DueReminders(now.AddDays(1), [7, 1]));
        Assert.Equal(["overdue"], task.DueReminders(now.AddDays(2), [7, 1]));
    }

    [Fact]
    public void ACompletedTaskGetsNoReminder()
    {
        var task = new TaskAggregate(Task(completedOn: new DateOnly(2026, 9, 25)));

        Assert.Empty(task.DueReminders(new DateTimeOffset(2026, 10, 2, 9, 0, 0, Vn), [7, 1]));
    }

    private static AssignedTask Task(DateOnly? completedOn = null) => new()
    {
        TaskId = "tsk-1",
        CommitteeId = "bac-ninh",
        Directive = new Directive
        {
            Work = "Việc", LeadAgencyId = "so-khcn", Deadline = Deadline.ToProtoDate(), ExpectedResult = "Kết quả",
            AssigningAuthority = new AssigningAuthority { PersonId = "pham-hoang-son", ActingAs = "HEAD" },
        },
        CompletedOn = completedOn?.ToProtoDate(),
    };
}
