using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using TaskStatus = Bcd.Contracts.Tasks.V1.TaskStatus;

namespace Bcd.Tasks.Domain;

/// <summary>
/// T3: a task's status is computed from its deadline, its completion day and the clock, in province
/// days (Asia/Ho_Chi_Minh); it is never stored or typed. The deadline day itself is still on time: a
/// task becomes overdue at 00:00 of the day after.
/// </summary>
public static class TaskStatusRules
{
    public static TaskStatus Compute(DateOnly deadline, DateOnly? completedOn, bool anyProgress, DateOnly today)
    {
        if (completedOn is { } done)
        {
            return done <= deadline ? TaskStatus.CompletedOnTime : TaskStatus.CompletedLate;
        }

        if (today > deadline)
        {
            return TaskStatus.InProgressOverdue;
        }

        return anyProgress ? TaskStatus.InProgressOnTime : TaskStatus.NotStarted;
    }

    /// <summary>The status of <paramref name="task"/> at <paramref name="at"/>; a completion after <paramref name="at"/> does not count yet.</summary>
    public static TaskStatus StatusAt(this AssignedTask task, DateTimeOffset at)
    {
        var today = ProvinceTime.DateOf(at);
        DateOnly? completed = task.CompletedOn is { } c && c.ToDateOnly() <= today ? c.ToDateOnly() : null;
        var anyProgress = task.Reports.Any(r => ProvinceTime.DateOf(r.ReportedAt.ToDateTimeOffset()) <= today);
        return Compute(task.Directive.Deadline.ToDateOnly(), completed, anyProgress, today);
    }

    /// <summary>A copy of the stored task with its status filled in as of <paramref name="at"/>, as every read returns it.</summary>
    public static AssignedTask WithStatus(this AssignedTask task, DateTimeOffset at)
    {
        var copy = task.Clone();
        copy.Status = task.StatusAt(at);
        copy.StatusAsOf = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at);
        return copy;
    }
}
