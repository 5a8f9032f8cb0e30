using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf;
using StackExchange.Redis;

namespace Bcd.Tasks.Storage;

/// <summary>
/// Where tasks live in the service's Redis key space. A task is one aggregate; every save also
/// rewrites its index entries in the same commit:
/// <c>idx:tasks:{committee}</c> (all, by deadline day), <c>…:lead:{agency}</c>, <c>…:group:{group}</c>,
/// <c>idx:open-tasks</c> (tasks with reminders still to send, by deadline day, "{committee}/{task}"),
/// <c>idx:task-facts:{committee}</c> (hash task → TaskFact: what scoring reads, without loading tasks)
/// and <c>idx:obstacles:{committee}:{open|resolved}</c> ("{task}/{obstacle}" by time raised).
/// </summary>
public sealed class TasksRepository(RedisStore store)
{
    public RedisStore Store => store;

    public string TaskKey(string taskId) => store.Keys.Aggregate("task", taskId);

    public string CommitteeIndex(string committeeId) => store.Keys.Index("tasks:" + committeeId);

    public string LeadIndex(string committeeId, string agencyId) => store.Keys.Index($"tasks:{committeeId}:lead:{agencyId}");

    public string GroupIndex(string committeeId, string groupId) => store.Keys.Index($"tasks:{committeeId}:group:{groupId}");

    public string OpenTasksIndex => store.Keys.Index("open-tasks");

    public string FactsKey(string committeeId) => store.Keys.Index("task-facts:" + committeeId);

    public string ObstacleIndex(string committeeId, ObstacleStatus status) =>
        store.Keys.Index($"obstacles:{committeeId}:{(status == ObstacleStatus.Resolved ? "resolved" : "open")}");

    public async Task<Versioned<AssignedTask>> LoadAsync(string committeeId, string taskId)
    {
        var loaded = await store.LoadAsync(TaskKey(taskId), AssignedTask.Parser);
        // A task of another committee is as good as absent to this caller (X4).
        return loaded is null || loaded.State.CommitteeId != committeeId ? throw new NotFoundException("task", taskId) : loaded;
    }

    public Task<bool> ExistsAsync(string taskId) => store.Database.KeyExistsAsync(TaskKey(taskId));

    /// <summary>Tasks of a committee (optionally of one lead agency or group) whose deadline is within the days given, by deadline.</summary>
    public async Task<IReadOnlyList<AssignedTask>> LoadManyAsync(
        string committeeId, string? leadAgencyId = null, string? groupId = null, DateOnly? dueFrom = null, DateOnly? dueTo = null)
    {
        var index = leadAgencyId is { Length: > 0 } ? LeadIndex(committeeId, leadAgencyId)
            : groupId is { Length: > 0 } ? GroupIndex(committeeId, groupId)
            : CommitteeIndex(committeeId);
        var ids = await store.Database.SortedSetRangeByScoreAsync(index,
            dueFrom?.DayNumber ?? double.NegativeInfinity, dueTo?.DayNumber ?? double.PositiveInfinity);
        var tasks = await store.LoadManyAsync(ids.Select(id => TaskKey(id!)), AssignedTask.Parser);
        // A lead index filtered by group too, when both are asked.
        return groupId is { Length: > 0 } && leadAgencyId is { Length: > 0 }
            ? tasks.Where(t => t.WorkingGroupId == groupId).ToList()
            : tasks;
    }

    /// <summary>Open tasks (any committee) whose deadline day is at most <paramref name="lastDeadline"/>: the reminders' candidates.</summary>
    public async Task<IReadOnlyList<(string CommitteeId, string TaskId)>> OpenTasksDueByAsync(DateOnly lastDeadline)
    {
        var members = await store.Database.SortedSetRangeByScoreAsync(OpenTasksIndex, double.NegativeInfinity, lastDeadline.DayNumber);
        return members.Select(m => ((string)m!).Split('/', 2)).Select(p => (p[0], p[1])).ToList();
    }

    /// <summary>Every task fact of a committee, as scoring snapshots them.</summary>
    public async Task<IReadOnlyList<TaskFact>> LoadFactsAsync(string committeeId)
    {
        var entries = await store.Database.HashValuesAsync(FactsKey(committeeId));
        var facts = new TaskFact[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            facts[i] = TaskFact.Parser.ParseFrom((byte[])entries[i]!);
        }

        return facts;
    }

    /// <summary>Obstacle references ("{task}/{obstacle}") of a committee in one state, oldest first.</summary>
    public async Task<IReadOnlyList<(string TaskId, string ObstacleId)>> ObstacleRefsAsync(string committeeId, ObstacleStatus status)
    {
        var members = await store.Database.SortedSetRangeByRankAsync(ObstacleIndex(committeeId, status));
        return members.Select(m => ((string)m!).Split('/', 2)).Select(p => (p[0], p[1])).ToList();
    }

    public Task<IReadOnlyList<AssignedTask>> LoadByIdsAsync(IEnumerable<string> taskIds) =>
        store.LoadManyAsync(taskIds.Select(TaskKey), AssignedTask.Parser);

    /// <summary>A new task; the commit refuses it if its id exists (a derived id makes a second delivery collide).</summary>
    public ChangeSet Add(ChangeSet changes, AssignedTask task, Func<DomainException>? whenExists = null)
    {
        task.Version = 1;
        changes.Create(TaskKey(task.TaskId), task, whenExists ?? (() => new AlreadyExistsException("task", task.TaskId)));
        return Index(changes, task, previous: null);
    }

    public ChangeSet Save(ChangeSet changes, AssignedTask task, AssignedTask previous, long expectedVersion)
    {
        task.Version = expectedVersion + 1;
        changes.Save(TaskKey(task.TaskId), expectedVersion, task);
        return Index(changes, task, previous);
    }

    private ChangeSet Index(ChangeSet changes, AssignedTask task, AssignedTask? previous)
    {
        var committee = task.CommitteeId;
        var deadline = task.Directive.Deadline.ToDateOnly().DayNumber;
        changes.SortedSetAdd(CommitteeIndex(committee), task.TaskId, deadline)
            .SortedSetAdd(LeadIndex(committee, task.Directive.LeadAgencyId), task.TaskId, deadline);
        if (previous is not null && previous.Directive.LeadAgencyId != task.Directive.LeadAgencyId)
        {
            changes.SortedSetRemove(LeadIndex(committee, previous.Directive.LeadAgencyId), task.TaskId);
        }

        if (task.WorkingGroupId.Length > 0)
        {
            changes.SortedSetAdd(GroupIndex(committee, task.WorkingGroupId), task.TaskId, deadline);
        }

        var openMember = $"{committee}/{task.TaskId}";
        // Reminders are all that read this index: a completed task, or one already reminded as overdue, has none left.
        if (task.CompletedOn is null && !task.RemindersSent.Contains(Domain.TaskAggregate.OverdueReminder))
        {
            changes.SortedSetAdd(OpenTasksIndex, openMember, deadline);
        }
        else
        {
            changes.SortedSetRemove(OpenTasksIndex, openMember);
        }

        changes.HashSet(FactsKey(committee), task.TaskId, Fact(task).ToByteArray());

        foreach (var obstacle in task.Obstacles)
        {
            var member = $"{task.TaskId}/{obstacle.ObstacleId}";
            var before = previous?.Obstacles.FirstOrDefault(o => o.ObstacleId == obstacle.ObstacleId);
            if (before is not null && before.Status == obstacle.Status)
            {
                continue;
            }

            if (obstacle.Status == ObstacleStatus.Resolved)
            {
                changes.SortedSetRemove(ObstacleIndex(committee, ObstacleStatus.Open), member);
            }

            changes.SortedSetAdd(ObstacleIndex(committee, obstacle.Status), member, obstacle.RaisedAt.Seconds);
        }

        return changes;
    }

    // ---- reporting periods (T5) ---------------------------------------------------------------------

    private string PeriodKey(string committeeId, string periodId) => store.Keys.Aggregate("reporting-period", $"{committeeId}:{periodId}");

    private string PeriodIndex(string committeeId) => store.Keys.Index("reporting-periods:" + committeeId);

    /// <summary>Hash "{period}/{group}" → ReportFact: what scoring's report timeliness reads.</summary>
    public string ReportFactsKey(string committeeId) => store.Keys.Index("report-facts:" + committeeId);

    public Task<Versioned<ReportingPeriod>> LoadPeriodAsync(string committeeId, string periodId) =>
        store.LoadRequiredAsync(PeriodKey(committeeId, periodId), ReportingPeriod.Parser, "reporting period", periodId);

    /// <summary>Periods of a committee, latest due date first.</summary>
    public async Task<IReadOnlyList<ReportingPeriod>> LoadPeriodsAsync(string committeeId)
    {
        var ids = await store.Database.SortedSetRangeByRankAsync(PeriodIndex(committeeId), order: Order.Descending);
        return await store.LoadManyAsync(ids.Select(id => PeriodKey(committeeId, id!)), ReportingPeriod.Parser);
    }

    public ChangeSet AddPeriod(ChangeSet changes, ReportingPeriod period, IEnumerable<ReportFact> facts)
    {
        period.Version = 1;
        changes.Create(PeriodKey(period.CommitteeId, period.PeriodId), period, () => new AlreadyExistsException("reporting period", period.PeriodId))
            .SortedSetAdd(PeriodIndex(period.CommitteeId), period.PeriodId, period.Due.ToDateOnly().DayNumber);
        return IndexFacts(changes, period.CommitteeId, facts);
    }

    public ChangeSet SavePeriod(ChangeSet changes, ReportingPeriod period, long expectedVersion, IEnumerable<ReportFact> facts)
    {
        period.Version = expectedVersion + 1;
        changes.Save(PeriodKey(period.CommitteeId, period.PeriodId), expectedVersion, period);
        return IndexFacts(changes, period.CommitteeId, facts);
    }

    public async Task<IReadOnlyList<ReportFact>> LoadReportFactsAsync(string committeeId)
    {
        var values = await store.Database.HashValuesAsync(ReportFactsKey(committeeId));
        return values.Select(v => ReportFact.Parser.ParseFrom((byte[])v!)).ToList();
    }

    private ChangeSet IndexFacts(ChangeSet changes, string committeeId, IEnumerable<ReportFact> facts)
    {
        foreach (var fact in facts)
        {
            changes.HashSet(ReportFactsKey(committeeId), $"{fact.PeriodId}/{fact.GroupId}", fact.ToByteArray());
        }

        return changes;
    }

    /// <summary>What scoring needs of a task (T6), in province days.</summary>
    public static TaskFact Fact(AssignedTask task) => new()
    {
        TaskId = task.TaskId,
        LeadAgencyId = task.Directive.LeadAgencyId,
        DeadlineDay = task.Directive.Deadline.ToDateOnly().DayNumber,
        CompletedDay = task.CompletedOn is null ? 0 : task.CompletedOn.ToDateOnly().DayNumber,
    };
}
