using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Tasks.Domain;

/// <summary>
/// T5 (and X2): the Standing Agency opens a reporting period — quarter, six months, year or ad hoc —
/// with a cut-off date for the data and a due date for the reports; each working group expected
/// submits its report online; on time or late is computed from the due date in province time.
/// </summary>
public sealed class ReportingPeriodAggregate(ReportingPeriod state)
{
    public ReportingPeriod State { get; } = state;

    public static ReportingPeriodAggregate Open(string periodId, OpenReportingPeriodRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var capacity = view.RequireStandingAgency(caller, "T5");
        var violations = new List<FieldViolation>();
        if (!request.CutOff.IsValid())
        {
            violations.Add(new FieldViolation("cut_off", "The cut-off is not a calendar date.", "Ngày chốt số liệu không hợp lệ."));
        }

        if (!request.Due.IsValid())
        {
            violations.Add(new FieldViolation("due", "The due date is not a calendar date.", "Hạn gửi báo cáo không hợp lệ."));
        }
        else if (request.CutOff.IsValid() && request.Due.ToDateOnly() < request.CutOff.ToDateOnly())
        {
            violations.Add(new FieldViolation("due", "Reports cannot be due before the cut-off date.", "Hạn gửi báo cáo không được trước ngày chốt số liệu."));
        }

        var groups = request.GroupIds.Count > 0 ? request.GroupIds.ToList() : view.Groups.Select(g => g.GroupId).ToList();
        for (var i = 0; i < request.GroupIds.Count; i++)
        {
            if (view.Group(request.GroupIds[i]) is null)
            {
                violations.Add(new FieldViolation($"group_ids[{i}]", $"Working group '{request.GroupIds[i]}' is not known in this committee.",
                    $"Tổ công tác '{request.GroupIds[i]}' không có trong Ban Chỉ đạo."));
            }
        }

        if (groups.Count == 0)
        {
            violations.Add(new FieldViolation("group_ids", "The committee has no working group to report.", "Ban Chỉ đạo chưa có tổ công tác nào để báo cáo."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var period = new ReportingPeriod
        {
            PeriodId = periodId,
            CommitteeId = request.CommitteeId,
            Kind = request.Kind,
            Label = request.Label,
            CutOff = request.CutOff,
            Due = request.Due,
            OpenedAt = Timestamp.FromDateTimeOffset(now),
            OpenedBy = caller.ToActor(capacity),
            Version = 1,
        };
        period.GroupIds.AddRange(groups);
        var aggregate = new ReportingPeriodAggregate(period);
        aggregate.Record("REPORTING_PERIOD_OPENED", $"Mở kỳ báo cáo {request.Label}, hạn gửi {request.Due.ToDateOnly():dd/MM/yyyy}.",
            period.OpenedBy, now, request.RequestId);
        return aggregate;
    }

    /// <summary>
    /// A working group's report, submitted by its leader or by staff of its lead agency. A second
    /// submission replaces the first (history keeps both); its timeliness is that of the new one.
    /// </summary>
    public GroupReport Submit(SubmitGroupReportRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        if (!State.GroupIds.Contains(request.GroupId))
        {
            throw new RuleViolationException("T5", "GROUP_NOT_EXPECTED",
                $"Working group '{request.GroupId}' is not expected to report in this period.",
                $"Tổ công tác '{request.GroupId}' không thuộc diện báo cáo trong kỳ này.");
        }

        var group = view.Group(request.GroupId) ?? throw new NotFoundException("working group", request.GroupId);
        var isLeader = group.Members.Any(m => m.PersonId == caller.PersonId && m.Role == Contracts.Membership.V1.GroupRole.Leader);
        Authority.Require(isLeader || caller.WorksFor(group.LeadAgencyId), "NOT_GROUP_REPORTER",
            "Only the working group's leader or its lead agency may submit its report.",
            "Chỉ Tổ trưởng hoặc cơ quan chủ trì của Tổ công tác mới được gửi báo cáo của Tổ.", "T5");

        var report = new GroupReport
        {
            GroupId = request.GroupId,
            Summary = request.Summary,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            SubmittedBy = caller.ToActor(new ActingCapacity(caller.PersonId, isLeader ? "GROUP_LEADER" : "GROUP_LEAD_AGENCY", null)),
            OnTime = ProvinceTime.DateOf(now) <= State.Due.ToDateOnly(),
        };
        report.Documents.AddRange(request.Documents);
        var previous = State.Reports.FirstOrDefault(r => r.GroupId == request.GroupId);
        if (previous is not null)
        {
            State.Reports.Remove(previous);
        }

        State.Reports.Add(report);
        Record(previous is null ? "GROUP_REPORT_SUBMITTED" : "GROUP_REPORT_REPLACED",
            $"{group.Name}: {(report.OnTime ? "đúng hạn" : "quá hạn")}.", report.SubmittedBy, now, request.RequestId);
        return report;
    }

    public GroupReportSubmitted SubmittedEvent(GroupReport report) => new()
    {
        CommitteeId = State.CommitteeId,
        PeriodId = State.PeriodId,
        Report = report,
        OccurredAt = report.SubmittedAt,
    };

    /// <summary>The period as reads return it: the groups that have not reported, computed.</summary>
    public static ReportingPeriod ForRead(ReportingPeriod period)
    {
        var copy = period.Clone();
        copy.MissingGroupIds.AddRange(period.GroupIds.Where(g => period.Reports.All(r => r.GroupId != g)));
        return copy;
    }

    /// <summary>What scoring reads (REPORT_TIMELINESS): one fact per expected group, submitted or not.</summary>
    public IEnumerable<ReportFact> Facts(CommitteeView? view) => State.GroupIds.Select(groupId =>
    {
        var report = State.Reports.FirstOrDefault(r => r.GroupId == groupId);
        return new ReportFact
        {
            GroupId = groupId,
            LeadAgencyId = view?.Group(groupId)?.LeadAgencyId ?? string.Empty,
            PeriodId = State.PeriodId,
            DueDay = State.Due.ToDateOnly().DayNumber,
            SubmittedDay = report is null ? 0 : ProvinceTime.DateOf(report.SubmittedAt.ToDateTimeOffset()).DayNumber,
        };
    });

    private void Record(string action, string summary, Actor actor, DateTimeOffset now, string requestId) =>
        State.History.Add(History.Entry(action, summary, actor, now, requestId));
}
