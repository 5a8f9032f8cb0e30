using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Tasks.Domain;

/// <summary>
/// A task (T1–T4): created from a six-clear directive and its source; then progress reports by the
/// lead agency, deadline change requests decided by the assigning authority, obstacles, reminders.
/// Every change appends to the task's history (X1). Status is never stored (TaskStatusRules).
/// </summary>
public sealed class TaskAggregate(AssignedTask state)
{
    public AssignedTask State { get; } = state;

    private DateOnly Deadline => State.Directive.Deadline.ToDateOnly();

    private bool Completed => State.CompletedOn is not null;

    // ---- creation (T1, T2) --------------------------------------------------------------------------

    /// <summary>
    /// A task assigned by a person (manual, CSV import): the directive has passed the six-clear rules
    /// (protovalidate + DirectiveRules) and the caller's authority (TaskAuthority.RequireAssigner).
    /// </summary>
    public static TaskAggregate Assign(
        string taskId, string committeeId, Directive directive, TaskSource source, string workingGroupId,
        Actor actor, DateTimeOffset now, string requestId, CommitteeView view)
    {
        if (source.SourceCase is TaskSource.SourceOneofCase.Conclusion or TaskSource.SourceOneofCase.Recommendation)
        {
            throw new InvalidArgumentException("source",
                "Tasks from conclusions and inspection recommendations are created from their events, not assigned by hand.",
                "Nhiệm vụ từ thông báo kết luận và kiến nghị kiểm tra được tạo tự động, không giao thủ công.");
        }

        if (workingGroupId.Length > 0 && view.Group(workingGroupId) is null)
        {
            throw new InvalidArgumentException("working_group_id",
                $"Working group '{workingGroupId}' is not known in this committee.",
                $"Tổ công tác '{workingGroupId}' không có trong Ban Chỉ đạo.");
        }

        var task = New(taskId, committeeId, directive, source, workingGroupId, actor, now);
        task.Record("TASK_ASSIGNED", $"Giao nhiệm vụ cho {AgencyName(view, directive.LeadAgencyId)}, thời hạn {task.Deadline:dd/MM/yyyy}.",
            actor, now, requestId);
        return task;
    }

    /// <summary>
    /// T2: one directive of an issued notice of conclusions. The id is derived from the notice and the
    /// directive's position, so a redelivered or replayed ConclusionIssued finds the task already there.
    /// The directive was checked by meetings when the notice was issued; it is taken as issued.
    /// </summary>
    public static TaskAggregate FromConclusion(ConclusionNotice notice, int itemIndex, int directiveIndex)
    {
        var directive = notice.Items[itemIndex].Directives[directiveIndex];
        var source = new TaskSource
        {
            Conclusion = new ConclusionSource
            {
                NoticeId = notice.NoticeId,
                NoticeNumber = notice.Number,
                MeetingId = notice.MeetingId,
                ItemIndex = itemIndex,
                DirectiveIndex = directiveIndex,
            },
        };
        var issuedAt = notice.IssuedAt.ToDateTimeOffset();
        var task = New(ConclusionTaskId(notice.NoticeId, itemIndex, directiveIndex), notice.CommitteeId, directive, source, string.Empty,
            notice.IssuedBy, issuedAt);
        task.Record("TASK_ASSIGNED", $"Nhiệm vụ từ Thông báo kết luận số {notice.Number}, mục {itemIndex + 1}, nhiệm vụ {directiveIndex + 1}.",
            notice.IssuedBy, issuedAt, string.Empty);
        return task;
    }

    public static string ConclusionTaskId(string noticeId, int itemIndex, int directiveIndex) => $"tsk-{noticeId}-{itemIndex}-{directiveIndex}";

    /// <summary>T2: the follow-up of an inspection recommendation, once per recommendation.</summary>
    public static TaskAggregate FromRecommendation(RecommendationIssued evt)
    {
        var source = new TaskSource
        {
            Recommendation = new RecommendationSource { InspectionId = evt.InspectionId, RecommendationId = evt.RecommendationId },
        };
        var at = evt.OccurredAt.ToDateTimeOffset();
        var task = New(RecommendationTaskId(evt.RecommendationId), evt.CommitteeId, evt.FollowUp, source, string.Empty, evt.Actor, at);
        task.Record("TASK_ASSIGNED", $"Nhiệm vụ khắc phục theo kiến nghị kiểm tra {evt.RecommendationId}.", evt.Actor, at, string.Empty);
        return task;
    }

    public static string RecommendationTaskId(string recommendationId) => $"tsk-rec-{recommendationId}";

    private static TaskAggregate New(
        string taskId, string committeeId, Directive directive, TaskSource source, string workingGroupId, Actor actor, DateTimeOffset at) =>
        new(new AssignedTask
        {
            TaskId = taskId,
            CommitteeId = committeeId,
            Directive = directive.Clone(),
            Source = source,
            WorkingGroupId = workingGroupId,
            AssignedAt = Timestamp.FromDateTimeOffset(at),
            AssignedBy = actor,
            OriginalDeadline = directive.Deadline.Clone(),
            Version = 1,
        });

    // ---- progress (T3) -----------------------------------------------------------------------------

    /// <summary>T3: the lead agency reports; 100 % completes the task on the province day of the report.</summary>
    public ProgressReport ReportProgress(ReportProgressRequest request, Caller caller, DateTimeOffset now, string reportId)
    {
        RequireLeadAgency(caller, "report progress on", "báo cáo tiến độ");
        RequireOpen("TASK_COMPLETED", "report progress on", "báo cáo tiến độ");

        var report = new ProgressReport
        {
            ReportId = reportId,
            Percent = request.Percent,
            Text = request.Text,
            ReportedAt = Timestamp.FromDateTimeOffset(now),
            ReportedBy = caller.ToActor(new ActingCapacity(caller.PersonId, "LEAD_AGENCY", null)),
        };
        report.Documents.AddRange(request.Documents);
        State.Reports.Add(report);
        State.ProgressPercent = request.Percent;
        if (request.Percent == 100)
        {
            State.CompletedOn = ProvinceTime.DateOf(now).ToProtoDate();
        }

        Record(request.Percent == 100 ? "TASK_COMPLETED" : "PROGRESS_REPORTED",
            request.Percent == 100 ? $"Hoàn thành ngày {ProvinceTime.DateOf(now):dd/MM/yyyy}." : $"Tiến độ {request.Percent}%.",
            report.ReportedBy, now, request.RequestId);
        return report;
    }

    public TaskProgressReported ProgressEvent(ProgressReport report) => new()
    {
        CommitteeId = State.CommitteeId,
        TaskId = State.TaskId,
        LeadAgencyId = State.Directive.LeadAgencyId,
        Report = report,
        CompletedOn = State.CompletedOn,
        OccurredAt = report.ReportedAt,
        Actor = report.ReportedBy,
    };

    // ---- deadline changes (T3) ---------------------------------------------------------------------

    public DeadlineChange RequestDeadlineChange(RequestDeadlineChangeRequest request, Caller caller, DateTimeOffset now, string changeId)
    {
        RequireLeadAgency(caller, "ask for a deadline change on", "đề nghị gia hạn");
        RequireOpen("TASK_COMPLETED", "change the deadline of", "gia hạn");
        if (State.DeadlineChanges.Any(c => c.Status == DeadlineChangeStatus.Pending))
        {
            throw new RuleViolationException("T3", "DEADLINE_CHANGE_PENDING",
                "A deadline change request of this task is still waiting for a decision.",
                "Nhiệm vụ đang có đề nghị gia hạn chờ quyết định.");
        }

        var proposed = request.ProposedDeadline;
        if (!proposed.IsValid())
        {
            throw new InvalidArgumentException("proposed_deadline", "The proposed deadline is not a calendar date.", "Thời hạn đề nghị không phải là ngày hợp lệ.");
        }

        var today = ProvinceTime.DateOf(now);
        if (proposed.ToDateOnly() <= today || proposed.ToDateOnly() == Deadline)
        {
            throw new InvalidArgumentException("proposed_deadline",
                $"The proposed deadline must be after today ({today:dd/MM/yyyy}) and differ from the current one ({Deadline:dd/MM/yyyy}).",
                $"Thời hạn đề nghị phải sau hôm nay ({today:dd/MM/yyyy}) và khác thời hạn hiện tại ({Deadline:dd/MM/yyyy}).");
        }

        var change = new DeadlineChange
        {
            ChangeId = changeId,
            CurrentDeadline = State.Directive.Deadline.Clone(),
            ProposedDeadline = proposed.Clone(),
            Reason = request.Reason,
            RequestedAt = Timestamp.FromDateTimeOffset(now),
            RequestedBy = caller.ToActor(new ActingCapacity(caller.PersonId, "LEAD_AGENCY", null)),
            Status = DeadlineChangeStatus.Pending,
        };
        State.DeadlineChanges.Add(change);
        Record("DEADLINE_CHANGE_REQUESTED", $"Đề nghị gia hạn từ {Deadline:dd/MM/yyyy} đến {proposed.ToDateOnly():dd/MM/yyyy}.",
            change.RequestedBy, now, request.RequestId);
        return change;
    }

    /// <summary>T3: the assigning authority (or the holder of that office) approves or refuses; an approval moves the deadline.</summary>
    public DeadlineChange DecideDeadlineChange(DecideDeadlineChangeRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var change = State.DeadlineChanges.FirstOrDefault(c => c.ChangeId == request.ChangeId)
            ?? throw new NotFoundException("deadline change", request.ChangeId);
        var capacity = view.RequireAssigningAuthority(caller, State.Directive.AssigningAuthority, now);
        if (change.Status != DeadlineChangeStatus.Pending)
        {
            throw new RuleViolationException("T3", "DEADLINE_CHANGE_DECIDED",
                "This deadline change request was already decided.", "Đề nghị gia hạn này đã được quyết định.");
        }

        RequireOpen("TASK_COMPLETED", "change the deadline of", "gia hạn");
        change.Status = request.Approve ? DeadlineChangeStatus.Approved : DeadlineChangeStatus.Refused;
        change.DecidedAt = Timestamp.FromDateTimeOffset(now);
        change.DecidedBy = caller.ToActor(capacity);
        change.DecisionNote = request.Note;
        if (request.Approve)
        {
            State.Directive.Deadline = change.ProposedDeadline.Clone();
            // A new deadline opens new reminders; the ones sent were about the old one.
            State.RemindersSent.Clear();
        }

        Record(request.Approve ? "DEADLINE_CHANGED" : "DEADLINE_CHANGE_REFUSED",
            request.Approve
                ? $"Gia hạn từ {change.CurrentDeadline.ToDateOnly():dd/MM/yyyy} đến {change.ProposedDeadline.ToDateOnly():dd/MM/yyyy}."
                : "Không đồng ý gia hạn.",
            change.DecidedBy, now, request.RequestId);
        return change;
    }

    // ---- obstacles (T4) ----------------------------------------------------------------------------

    public Obstacle RaiseObstacle(RaiseObstacleRequest request, Caller caller, DateTimeOffset now, string obstacleId)
    {
        var concerned = caller.WorksFor(State.Directive.LeadAgencyId) ||
            State.Directive.CoordinatingAgencyIds.Any(caller.WorksFor);
        Authority.Require(concerned, "NOT_TASK_AGENCY",
            "Only the lead or a coordinating agency of the task may report an obstacle.",
            "Chỉ cơ quan chủ trì hoặc phối hợp của nhiệm vụ mới được báo cáo khó khăn, vướng mắc.", "T4");

        var obstacle = new Obstacle
        {
            ObstacleId = obstacleId,
            TaskId = State.TaskId,
            Description = request.Description,
            ProposedSolution = request.ProposedSolution,
            Status = ObstacleStatus.Open,
            RaisedAt = Timestamp.FromDateTimeOffset(now),
            RaisedBy = caller.ToActor(new ActingCapacity(caller.PersonId, "TASK_AGENCY", null)),
            LeadAgencyId = State.Directive.LeadAgencyId,
        };
        State.Obstacles.Add(obstacle);
        Record("OBSTACLE_RAISED", "Báo cáo khó khăn, vướng mắc.", obstacle.RaisedBy, now, request.RequestId);
        return obstacle;
    }

    /// <summary>T4: the lead agency, the Standing Agency (which follows up) or the assigning authority records the resolution.</summary>
    public Obstacle ResolveObstacle(ResolveObstacleRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var obstacle = State.Obstacles.FirstOrDefault(o => o.ObstacleId == request.ObstacleId)
            ?? throw new NotFoundException("obstacle", request.ObstacleId);
        string actingAs;
        if (caller.WorksFor(State.Directive.LeadAgencyId))
        {
            actingAs = "LEAD_AGENCY";
        }
        else if (caller.WorksFor(view.StandingAgencyId))
        {
            actingAs = "STANDING_AGENCY";
        }
        else
        {
            actingAs = view.RequireAssigningAuthority(caller, State.Directive.AssigningAuthority, now).ActingAs;
        }

        if (obstacle.Status == ObstacleStatus.Resolved)
        {
            throw new RuleViolationException("T4", "OBSTACLE_RESOLVED", "This obstacle is already resolved.", "Khó khăn, vướng mắc này đã được giải quyết.");
        }

        obstacle.Status = ObstacleStatus.Resolved;
        obstacle.ResolvedAt = Timestamp.FromDateTimeOffset(now);
        obstacle.ResolvedBy = caller.ToActor(new ActingCapacity(caller.PersonId, actingAs, null));
        obstacle.Resolution = request.Resolution;
        Record("OBSTACLE_RESOLVED", "Khó khăn, vướng mắc đã được giải quyết.", obstacle.ResolvedBy, now, request.RequestId);
        return obstacle;
    }

    /// <summary>An obstacle as lists show it, with its age in whole days (until resolution, else until now).</summary>
    public static Obstacle ForRead(Obstacle obstacle, DateTimeOffset now)
    {
        var copy = obstacle.Clone();
        var end = obstacle.ResolvedAt?.ToDateTimeOffset() ?? now;
        copy.AgeDays = Math.Max(0, ProvinceTime.DateOf(end).DayNumber - ProvinceTime.DateOf(obstacle.RaisedAt.ToDateTimeOffset()).DayNumber);
        return copy;
    }

    // ---- reminders ----------------------------------------------------------------------------------

    public static string DueSoonReminder(int days) => $"due-soon:{days}";

    public const string OverdueReminder = "overdue";

    /// <summary>
    /// The reminders due at <paramref name="now"/> and not yet sent: "due soon" once the deadline is
    /// within each threshold (in province days), "overdue" from 00:00 of the day after the deadline.
    /// Only the nearest due-soon threshold is sent when several are crossed at once (a task assigned
    /// two days before its deadline does not get the 7-day reminder as well).
    /// </summary>
    public IReadOnlyList<string> DueReminders(DateTimeOffset now, IReadOnlyCollection<int> dueSoonDays)
    {
        if (Completed)
        {
            return [];
        }

        var today = ProvinceTime.DateOf(now);
        if (today > Deadline)
        {
            return State.RemindersSent.Contains(OverdueReminder) ? [] : [OverdueReminder];
        }

        var daysLeft = Deadline.DayNumber - today.DayNumber;
        var nearest = dueSoonDays.Where(d => daysLeft <= d).Order().Cast<int?>().FirstOrDefault();
        return nearest is { } days && !State.RemindersSent.Contains(DueSoonReminder(days)) ? [DueSoonReminder(days)] : [];
    }

    /// <summary>Marks the reminders sent; the caller publishes their events in the same commit.</summary>
    public IReadOnlyList<Google.Protobuf.IMessage> SendReminders(IReadOnlyList<string> reminders, IReadOnlyCollection<int> dueSoonDays, DateTimeOffset now)
    {
        var events = new List<Google.Protobuf.IMessage>();
        foreach (var reminder in reminders)
        {
            if (reminder == OverdueReminder)
            {
                events.Add(new TaskOverdue
                {
                    CommitteeId = State.CommitteeId,
                    TaskId = State.TaskId,
                    LeadAgencyId = State.Directive.LeadAgencyId,
                    Deadline = State.Directive.Deadline,
                    OccurredAt = Timestamp.FromDateTimeOffset(now),
                });
            }
            else
            {
                var days = int.Parse(reminder["due-soon:".Length..], System.Globalization.CultureInfo.InvariantCulture);
                events.Add(new TaskDueSoon
                {
                    CommitteeId = State.CommitteeId,
                    TaskId = State.TaskId,
                    LeadAgencyId = State.Directive.LeadAgencyId,
                    Deadline = State.Directive.Deadline,
                    DaysBefore = days,
                    OccurredAt = Timestamp.FromDateTimeOffset(now),
                });
                // Wider thresholds crossed at the same time count as sent too.
                foreach (var wider in dueSoonDays.Where(d => d > days))
                {
                    if (!State.RemindersSent.Contains(DueSoonReminder(wider)))
                    {
                        State.RemindersSent.Add(DueSoonReminder(wider));
                    }
                }
            }

            State.RemindersSent.Add(reminder);
        }

        return events;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void RequireLeadAgency(Caller caller, string what, string whatVi) =>
        Authority.Require(caller.WorksFor(State.Directive.LeadAgencyId), "NOT_LEAD_AGENCY",
            $"Only the lead agency ({State.Directive.LeadAgencyId}) may {what} this task.",
            $"Chỉ cơ quan chủ trì ({State.Directive.LeadAgencyId}) mới được {whatVi} nhiệm vụ này.", "T3");

    private void RequireOpen(string reason, string what, string whatVi)
    {
        if (Completed)
        {
            throw new RuleViolationException("T3", reason,
                $"The task was completed on {State.CompletedOn.ToDateOnly():dd/MM/yyyy}; one cannot {what} it any more.",
                $"Nhiệm vụ đã hoàn thành ngày {State.CompletedOn.ToDateOnly():dd/MM/yyyy}, không thể {whatVi} nữa.");
        }
    }

    private static string AgencyName(CommitteeView view, string agencyId) =>
        view.Agencies.TryGetValue(agencyId, out var agency) ? agency.Name : agencyId;

    private void Record(string action, string summary, Actor actor, DateTimeOffset now, string requestId) =>
        State.History.Add(History.Entry(action, summary, actor, now, requestId));
}
