using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Refuse = Bcd.Meetings.Domain.MeetingRefusals;

namespace Bcd.Meetings.Domain;

/// <summary>
/// One meeting of a committee under rules G1–G3 (conclusions, G4, in ConclusionNotices.cs). No I/O:
/// the service loads the meeting and the membership projection, passes the caller and the time of the
/// act, and stores what the methods change. Each method checks everything before it mutates, and
/// every change appends a history entry (X1) naming the actor's capacity and delegation.
/// </summary>
public sealed partial class MeetingAggregate(Meeting state)
{
    public Meeting State { get; } = state;

    public string Id => State.MeetingId;

    /// <summary>The meeting's calendar day in the province: the day membership is read for, and G3's cut-off is counted from.</summary>
    public DateOnly MeetingDay => ProvinceTime.DateOf(State.StartsAt.ToDateTimeOffset());

    /// <summary>Meetings of the committee itself; a working group's meetings are the group's (Điều 13.4).</summary>
    public bool IsCommitteeMeeting => State.Kind != MeetingKind.WorkingGroup;

    // ---- G1: convening and invitees ------------------------------------------------------------

    /// <summary>
    /// G1: the Head, or a Deputy Head under an active CONVENE_MEETINGS delegation, convenes; a working
    /// group's leader may also convene the group's own meeting. The chair is the caller unless another
    /// person is named, and must be the Head, a deputy under an active CHAIR_MEETINGS delegation, or
    /// (working groups) the group's leader.
    /// </summary>
    public static MeetingAggregate Convene(string meetingId, ConveneMeetingRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var isGroupMeeting = request.Kind == MeetingKind.WorkingGroup;
        if (isGroupMeeting && view.Group(request.WorkingGroupId) is null)
        {
            throw Refuse.Field("working_group_id",
                string.IsNullOrEmpty(request.WorkingGroupId) ? "A working-group meeting names its group." : $"Working group '{request.WorkingGroupId}' is not known.",
                string.IsNullOrEmpty(request.WorkingGroupId) ? "Cuộc họp Tổ Công tác phải nêu Tổ." : $"Không có Tổ Công tác '{request.WorkingGroupId}'.");
        }

        var convener = isGroupMeeting && view.IsLeaderOf(request.WorkingGroupId, caller.PersonId)
            ? new ActingCapacity(caller.PersonId, MeetingAuthority.GroupLeader, null)
            : view.RequireHeadOrDelegate(caller.PersonId, DelegationScope.ConveneMeetings, now, "G1");

        var violations = new List<FieldViolation>();
        if (request.Kind == MeetingKind.Unspecified || !System.Enum.IsDefined(request.Kind))
        {
            violations.Add(new FieldViolation("kind", "The kind of meeting is required.", "Cần nêu loại cuộc họp."));
        }

        if (!isGroupMeeting && request.WorkingGroupId.Length > 0)
        {
            violations.Add(new FieldViolation("working_group_id", "Only a working-group meeting names a group.", "Chỉ cuộc họp Tổ Công tác mới nêu Tổ."));
        }

        if (request.StartsAt is null || request.StartsAt.ToDateTimeOffset() <= now)
        {
            violations.Add(new FieldViolation("starts_at", "A meeting is convened for a time in the future.", "Thời gian họp phải ở tương lai."));
        }
        else if (request.EndsAt is null || request.EndsAt.ToDateTimeOffset() <= request.StartsAt.ToDateTimeOffset())
        {
            violations.Add(new FieldViolation("ends_at", "ends_at must be after starts_at.", "Thời gian kết thúc phải sau thời gian bắt đầu."));
        }

        for (var i = 0; i < request.InvitedAgencyIds.Count; i++)
        {
            if (!view.Agencies.ContainsKey(request.InvitedAgencyIds[i]))
            {
                violations.Add(UnknownAgency($"invited_agency_ids[{i}]", request.InvitedAgencyIds[i]));
            }
        }

        ThrowIfAny(violations);

        var chairPersonId = string.IsNullOrEmpty(request.ChairPersonId) ? caller.PersonId : request.ChairPersonId;
        var chair = ChairCapacity(view, request.Kind, request.WorkingGroupId, chairPersonId, now);

        var meeting = new Meeting
        {
            MeetingId = meetingId,
            CommitteeId = view.CommitteeId,
            Kind = request.Kind,
            Title = request.Title,
            StartsAt = request.StartsAt,
            EndsAt = request.EndsAt,
            Location = request.Location,
            WorkingGroupId = request.WorkingGroupId,
            ChairPersonId = chairPersonId,
            ChairDelegationId = chair.DelegationId ?? string.Empty,
            Status = MeetingStatus.Convened,
            ConvenedBy = caller.ToActor(convener),
            ConvenedAt = Timestamp.FromDateTimeOffset(now),
        };
        var aggregate = new MeetingAggregate(meeting);
        var day = aggregate.MeetingDay;
        meeting.Invitees.AddRange(DefaultInvitees(view, request.Kind, request.WorkingGroupId, day));
        foreach (var agencyId in request.InvitedAgencyIds.Where(a => meeting.Invitees.All(i => i.AgencyId != a || i.Kind != InviteeKind.InvitedAgency)))
        {
            meeting.Invitees.Add(AgencyInvitee(view, agencyId, string.Empty));
        }

        aggregate.Record("MEETING_CONVENED",
            $"Triệu tập {request.Kind} \"{request.Title}\" ngày {day:dd/MM/yyyy}; chủ trì: {chairPersonId}; {meeting.Invitees.Count} thành phần mời.",
            caller.ToActor(convener), now, request.RequestId);
        return aggregate;
    }

    /// <summary>G1: the chair (or the Head) decides who attends; the list replaces the previous one.</summary>
    public void SetInvitees(SetInviteesRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var capacity = RequireChair(caller, view, now, "G1");
        RequireOpen("G1");
        var day = MeetingDay;
        var violations = new List<FieldViolation>();
        var invitees = new List<Invitee>();
        for (var i = 0; i < request.Invitees.Count; i++)
        {
            var given = request.Invitees[i];
            var path = $"invitees[{i}]";
            Invitee? invitee = null;
            switch (given.Kind)
            {
                case InviteeKind.Member:
                    var seat = view.Seats.FirstOrDefault(s => s.SeatId == given.SeatId && s.ExistsOn(day));
                    if (seat is null)
                    {
                        violations.Add(new FieldViolation(path + ".seat_id",
                            $"Seat '{given.SeatId}' does not exist on the meeting day {day:dd/MM/yyyy}.",
                            $"Vị trí '{given.SeatId}' không tồn tại vào ngày họp {day:dd/MM/yyyy}."));
                    }
                    else
                    {
                        invitee = SeatInvitee(seat, day);
                    }

                    break;
                case InviteeKind.InvitedAgency:
                    if (view.Agencies.ContainsKey(given.AgencyId))
                    {
                        invitee = AgencyInvitee(view, given.AgencyId, given.DisplayName);
                    }
                    else
                    {
                        violations.Add(UnknownAgency(path + ".agency_id", given.AgencyId));
                    }

                    break;
                default:
                    violations.Add(new FieldViolation(path + ".kind", "Say whether the invitee is a member or an agency.",
                        "Cần nêu thành phần mời là thành viên hay cơ quan."));
                    break;
            }

            if (invitee is not null && invitees.Any(x => SameInvitee(x, invitee)))
            {
                violations.Add(new FieldViolation(path, "The invitee is listed more than once.", "Thành phần mời bị liệt kê trùng."));
            }
            else if (invitee is not null)
            {
                invitees.Add(invitee);
            }
        }

        ThrowIfAny(violations);
        State.Invitees.Clear();
        State.Invitees.AddRange(invitees);
        Record("INVITEES_SET",
            $"Thành phần mời: {invitees.Count(i => i.Kind == InviteeKind.Member)} thành viên, {invitees.Count(i => i.Kind == InviteeKind.InvitedAgency)} cơ quan.",
            caller.ToActor(capacity), now, request.RequestId);
    }

    // ---- G2: the proposal report, confirmation, holding, cancelling ----------------------------

    /// <summary>
    /// G2: the Standing Agency files the proposal report (for a working group's meeting, the group's
    /// lead agency may too). A new report replaces the filed one; the old one stays in history in full.
    /// </summary>
    public void FileProposalReport(FileProposalReportRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var groupLeadAgency = IsCommitteeMeeting ? null : view.Group(State.WorkingGroupId)?.LeadAgencyId;
        var capacity = view.IsStandingAgencyStaff(caller)
            ? new ActingCapacity(caller.PersonId, MeetingAuthority.StandingAgency, null)
            : groupLeadAgency is not null && caller.AgencyId == groupLeadAgency
                ? new ActingCapacity(caller.PersonId, MeetingAuthority.AgencyRepresentative, null)
                : throw Refuse.Permission("G2", "STANDING_AGENCY_ONLY",
                    "Only the Standing Agency files the proposal report of a meeting.",
                    "Chỉ Cơ quan thường trực mới lập báo cáo đề xuất của cuộc họp.");
        RequireOpen("G2");

        var report = request.Report ?? throw Refuse.Field("report", "The proposal report is required.", "Cần có báo cáo đề xuất.");
        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(report.Objectives))
        {
            violations.Add(new FieldViolation("report.objectives", "The report states the meeting's objectives.", "Báo cáo phải nêu mục tiêu cuộc họp."));
        }

        if (string.IsNullOrWhiteSpace(report.Participants))
        {
            violations.Add(new FieldViolation("report.participants", "The report states the participants.", "Báo cáo phải nêu thành phần tham dự."));
        }

        if (string.IsNullOrWhiteSpace(report.TaskProgress))
        {
            violations.Add(new FieldViolation("report.task_progress", "The report states the progress and results of the tasks.",
                "Báo cáo phải nêu tiến độ và kết quả thực hiện nhiệm vụ."));
        }

        ThrowIfAny(violations);

        var previous = State.Proposal;
        var filed = report.Clone();
        filed.FiledBy = caller.ToActor(capacity);
        filed.FiledAt = Timestamp.FromDateTimeOffset(now);
        State.Proposal = filed;
        Record(previous is null ? "PROPOSAL_REPORT_FILED" : "PROPOSAL_REPORT_REPLACED",
            previous is null
                ? $"Báo cáo đề xuất: {filed.Documents.Count} tài liệu."
                : $"Báo cáo đề xuất được thay thế ({filed.Documents.Count} tài liệu). Báo cáo trước: {JsonFormatter.Default.Format(previous)}",
            caller.ToActor(capacity), now, request.RequestId);
    }

    /// <summary>G2: the chair marks the meeting ready; never without the proposal report.</summary>
    public void Confirm(ConfirmMeetingRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var capacity = RequireChair(caller, view, now, "G2");
        RequireOpen("G2");
        if (State.Status == MeetingStatus.Confirmed)
        {
            throw Refuse.Rule("G2", "MEETING_ALREADY_CONFIRMED", "The meeting is already confirmed.", "Cuộc họp đã được xác nhận.");
        }

        RequireProposal();
        State.Status = MeetingStatus.Confirmed;
        Record("MEETING_CONFIRMED", "Cuộc họp đã sẵn sàng (có báo cáo đề xuất).", caller.ToActor(capacity), now, request.RequestId);
    }

    /// <summary>
    /// G2, G3, G6: records that the confirmed meeting took place and who was present. The chair, the
    /// Head or the Standing Agency (which keeps the meeting's records) may record it, once it has begun.
    /// </summary>
    public void RecordHeld(RecordMeetingHeldRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var capacity = view.IsStandingAgencyStaff(caller)
            ? new ActingCapacity(caller.PersonId, MeetingAuthority.StandingAgency, null)
            : RequireChair(caller, view, now, "G2");
        RequireOpen("G2");
        RequireProposal();
        if (State.Status != MeetingStatus.Confirmed)
        {
            throw Refuse.Rule("G2", "MEETING_NOT_CONFIRMED", "The meeting must be confirmed before it is recorded as held.",
                "Cuộc họp phải được xác nhận trước khi ghi nhận đã họp.");
        }

        if (now < State.StartsAt.ToDateTimeOffset())
        {
            throw Refuse.Rule("G2", "MEETING_NOT_STARTED", "A meeting cannot be recorded as held before it starts.",
                "Không thể ghi nhận cuộc họp đã diễn ra trước giờ họp.");
        }

        var violations = new List<FieldViolation>();
        for (var i = 0; i < request.PresentSeatIds.Count; i++)
        {
            if (!State.Invitees.Any(x => x.Kind == InviteeKind.Member && x.SeatId == request.PresentSeatIds[i]))
            {
                violations.Add(new FieldViolation($"present_seat_ids[{i}]", "The seat was not invited.", "Vị trí này không có trong thành phần mời."));
            }
        }

        for (var i = 0; i < request.PresentAgencyIds.Count; i++)
        {
            if (!State.Invitees.Any(x => x.Kind == InviteeKind.InvitedAgency && x.AgencyId == request.PresentAgencyIds[i]))
            {
                violations.Add(new FieldViolation($"present_agency_ids[{i}]", "The agency was not invited.", "Cơ quan này không có trong thành phần mời."));
            }
        }

        ThrowIfAny(violations);
        State.Status = MeetingStatus.Held;
        State.PresentSeatIds.AddRange(request.PresentSeatIds.Distinct(StringComparer.Ordinal));
        State.PresentAgencyIds.AddRange(request.PresentAgencyIds.Distinct(StringComparer.Ordinal));
        Record("MEETING_HELD", $"Đã họp: {State.PresentSeatIds.Count} thành viên, {State.PresentAgencyIds.Count} cơ quan có mặt.",
            caller.ToActor(capacity), now, request.RequestId);
    }

    public void Cancel(CancelMeetingRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var capacity = RequireChair(caller, view, now, "G1");
        RequireOpen("G1");
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw Refuse.Field("reason", "Say why the meeting is cancelled.", "Cần nêu lý do hủy cuộc họp.");
        }

        State.Status = MeetingStatus.Cancelled;
        State.CancelReason = request.Reason;
        Record("MEETING_CANCELLED", $"Hủy cuộc họp: {request.Reason}", caller.ToActor(capacity), now, request.RequestId);
    }

    // ---- G3: absences and the attendance register ----------------------------------------------

    /// <summary>
    /// G3: an invitee who cannot attend asks, with a reason and the written opinion. A member asks for
    /// the seat they hold on the meeting day; an invited agency's staff ask for their agency. A request
    /// at or after the cut-off (00:00 of the meeting day in the province, moved earlier by the
    /// committee's setting) is recorded, flagged late. A new request replaces the invitee's pending one
    /// (the old one stays in history); once decided, it stands.
    /// </summary>
    public AbsenceRequest RequestAbsence(RequestAbsenceRequest request, Caller caller, CommitteeView view, DateTimeOffset now, MeetingsSettings settings)
    {
        ActingCapacity capacity;
        Invitee invitee;
        if (request.AgencyId.Length > 0)
        {
            invitee = State.Invitees.FirstOrDefault(i => i.Kind == InviteeKind.InvitedAgency && i.AgencyId == request.AgencyId)
                ?? throw NotInvited();
            if (caller.AgencyId != request.AgencyId)
            {
                throw Refuse.Permission("G3", "NOT_AGENCY_REPRESENTATIVE",
                    $"Only staff of {request.AgencyId} may excuse that agency.",
                    $"Chỉ cán bộ của {request.AgencyId} mới được báo vắng cho cơ quan này.");
            }

            capacity = new ActingCapacity(caller.PersonId, MeetingAuthority.AgencyRepresentative, null);
        }
        else
        {
            var day = MeetingDay;
            var seat = State.Invitees
                .Where(i => i.Kind == InviteeKind.Member)
                .Select(i => view.Seats.FirstOrDefault(s => s.SeatId == i.SeatId))
                .FirstOrDefault(s => s?.HolderOn(day)?.PersonId == caller.PersonId)
                ?? throw NotInvited();
            invitee = State.Invitees.First(i => i.Kind == InviteeKind.Member && i.SeatId == seat.SeatId);
            capacity = new ActingCapacity(caller.PersonId, seat.Role.Code(), null);
        }

        RequireOpen("G3");
        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            violations.Add(new FieldViolation("reason", "Say why you cannot attend.", "Cần nêu lý do vắng mặt."));
        }

        if (string.IsNullOrWhiteSpace(request.Opinion))
        {
            violations.Add(new FieldViolation("opinion", "G3 requires the written opinion on the meeting's matters.",
                "Theo Quy chế (Điều 12.3), phải gửi ý kiến tham gia bằng văn bản."));
        }

        ThrowIfAny(violations);

        var previous = State.Absences.LastOrDefault(a => Concerns(a, invitee));
        if (previous is not null && previous.Decision != AbsenceDecision.Pending)
        {
            throw Refuse.Rule("G3", "ABSENCE_ALREADY_DECIDED",
                "Your absence request was already decided; it is not replaced.",
                "Đề nghị vắng mặt đã được quyết định; không thể thay thế.",
                ("absence_id", previous.AbsenceId));
        }

        var cutoff = AbsenceCutoff(settings);
        var absence = new AbsenceRequest
        {
            AbsenceId = $"abs-{State.History.Count + 1}",
            SeatId = invitee.Kind == InviteeKind.Member ? invitee.SeatId : string.Empty,
            AgencyId = invitee.Kind == InviteeKind.InvitedAgency ? invitee.AgencyId : string.Empty,
            PersonId = caller.PersonId,
            Reason = request.Reason,
            Opinion = request.Opinion,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Cutoff = Timestamp.FromDateTimeOffset(cutoff),
            Late = now >= cutoff,
            Decision = AbsenceDecision.Pending,
            RequestedBy = caller.ToActor(capacity),
        };
        absence.OpinionDocuments.AddRange(request.OpinionDocuments);

        if (previous is not null)
        {
            State.Absences.Remove(previous);
            Record("ABSENCE_REQUEST_REPLACED", $"Đề nghị vắng {previous.AbsenceId} được thay bằng {absence.AbsenceId}. Đề nghị trước: {JsonFormatter.Default.Format(previous)}",
                caller.ToActor(capacity), now, request.RequestId);
        }

        State.Absences.Add(absence);
        Record("ABSENCE_REQUESTED",
            $"{absence.AbsenceId}: đề nghị vắng mặt ({(absence.Late ? "muộn, sau" : "đúng hạn, trước")} mốc {ProvinceLocal(cutoff):HH:mm dd/MM/yyyy}).",
            caller.ToActor(capacity), now, request.RequestId);
        return absence;
    }

    /// <summary>G3's cut-off for this meeting under <paramref name="settings"/>.</summary>
    public DateTimeOffset AbsenceCutoff(MeetingsSettings settings) =>
        ProvinceTime.StartOfDay(MeetingDay.AddDays(-settings.AbsenceCutoffDaysBefore));

    /// <summary>
    /// G3: a member's absence from a committee meeting needs the Head's approval (or, when a deputy
    /// chairs under delegation, that chair's while the delegation is active); an invited agency's, and
    /// any absence from a working group's meeting, the chair's. Late requests can still be decided.
    /// </summary>
    public AbsenceRequest DecideAbsence(DecideAbsenceRequest request, Caller caller, CommitteeView view, DateTimeOffset now)
    {
        var absence = State.Absences.FirstOrDefault(a => a.AbsenceId == request.AbsenceId)
            ?? throw new NotFoundException("absence request", request.AbsenceId);
        var capacity = absence.SeatId.Length > 0 && IsCommitteeMeeting
            ? RequireHeadApproval(caller, view, now)
            : RequireChair(caller, view, now, "G3");
        if (State.Status == MeetingStatus.Cancelled)
        {
            throw Refuse.Rule("G3", "MEETING_CANCELLED", "The meeting was cancelled.", "Cuộc họp đã bị hủy.");
        }

        if (absence.Decision != AbsenceDecision.Pending)
        {
            throw Refuse.Rule("G3", "ABSENCE_ALREADY_DECIDED", "The absence request was already decided.", "Đề nghị vắng mặt đã được quyết định.",
                ("absence_id", absence.AbsenceId));
        }

        absence.Decision = request.Approve ? AbsenceDecision.Approved : AbsenceDecision.Refused;
        absence.DecidedBy = caller.ToActor(capacity);
        absence.DecidedAt = Timestamp.FromDateTimeOffset(now);
        absence.DecisionNote = request.Note;
        Record(request.Approve ? "ABSENCE_APPROVED" : "ABSENCE_REFUSED",
            $"{absence.AbsenceId}: {(request.Approve ? "đồng ý" : "không đồng ý")} cho vắng mặt{(absence.Late ? " (báo muộn)" : string.Empty)}.",
            caller.ToActor(capacity), now, request.RequestId);
        return absence;
    }

    /// <summary>
    /// G3: one line per invitee. Before the meeting is held an invitee is EXPECTED unless an absence is
    /// already approved on time (APPROVED_ABSENCE) or was reported late (LATE_NOTICE). Once held:
    /// PRESENT if recorded present; else a late request is LATE_NOTICE whatever its decision (G3 keeps
    /// late requests visible as late; "approved absence" means the opinion arrived in time); an on-time
    /// approved request is APPROVED_ABSENCE; a refused or undecided one UNAPPROVED_ABSENCE; no request
    /// ABSENT_WITHOUT_NOTICE.
    /// </summary>
    public IReadOnlyList<AttendanceLine> AttendanceRegister() =>
        State.Invitees.Select(invitee =>
        {
            var absence = State.Absences.LastOrDefault(a => Concerns(a, invitee));
            var line = new AttendanceLine { Invitee = invitee.Clone(), AbsenceId = absence?.AbsenceId ?? string.Empty };
            var present = invitee.Kind == InviteeKind.Member
                ? State.PresentSeatIds.Contains(invitee.SeatId)
                : State.PresentAgencyIds.Contains(invitee.AgencyId);
            line.Status = (State.Status == MeetingStatus.Held, present, absence) switch
            {
                (true, true, _) => AttendanceStatus.Present,
                (_, _, { Late: true }) => AttendanceStatus.LateNotice,
                (_, _, { Decision: AbsenceDecision.Approved }) => AttendanceStatus.ApprovedAbsence,
                (false, _, _) => AttendanceStatus.Expected,
                (true, _, not null) => AttendanceStatus.UnapprovedAbsence,
                (true, _, null) => AttendanceStatus.AbsentWithoutNotice,
            };
            return line;
        }).ToList();

    // ---- authority and helpers -----------------------------------------------------------------

    /// <summary>
    /// The powers of the chair (G1: deciding attendance; G2: confirming; G4: concluding): the Head always,
    /// the named chair while their footing holds at <paramref name="now"/> — a deputy's CHAIR_MEETINGS
    /// delegation active, a group leader still the group's leader.
    /// </summary>
    public ActingCapacity RequireChair(Caller caller, CommitteeView view, DateTimeOffset now, string rule)
    {
        if (view.HeadOn(now) == caller.PersonId)
        {
            return new ActingCapacity(caller.PersonId, MeetingAuthority.Head, null);
        }

        if (caller.PersonId == State.ChairPersonId)
        {
            if (!IsCommitteeMeeting && view.IsLeaderOf(State.WorkingGroupId, caller.PersonId))
            {
                return new ActingCapacity(caller.PersonId, MeetingAuthority.GroupLeader, null);
            }

            if (view.IsHeadOrDelegate(caller.PersonId, DelegationScope.ChairMeetings, now))
            {
                return view.RequireHeadOrDelegate(caller.PersonId, DelegationScope.ChairMeetings, now, rule);
            }
        }

        throw Refuse.Permission(rule, "CHAIR_ONLY",
            "Only the meeting's chair (under an active delegation if not the Head) or the Head may do this.",
            "Chỉ người chủ trì cuộc họp (còn hiệu lực ủy quyền nếu không phải Trưởng Ban) hoặc Trưởng Ban Chỉ đạo mới được thực hiện việc này.");
    }

    private ActingCapacity RequireHeadApproval(Caller caller, CommitteeView view, DateTimeOffset now)
    {
        if (view.HeadOn(now) == caller.PersonId)
        {
            return new ActingCapacity(caller.PersonId, MeetingAuthority.Head, null);
        }

        if (caller.PersonId == State.ChairPersonId && State.ChairDelegationId.Length > 0 &&
            view.IsHeadOrDelegate(caller.PersonId, DelegationScope.ChairMeetings, now))
        {
            return view.RequireHeadOrDelegate(caller.PersonId, DelegationScope.ChairMeetings, now, "G3");
        }

        throw Refuse.Permission("G3", "HEAD_APPROVAL_REQUIRED",
            "A member's absence is approved by the Head (or the deputy chairing under an active delegation).",
            "Thành viên vắng họp phải được Trưởng Ban Chỉ đạo đồng ý (hoặc Phó Trưởng Ban chủ trì theo ủy quyền còn hiệu lực).");
    }

    /// <summary>G1: who may be named chair, judged at the time of convening.</summary>
    private static ActingCapacity ChairCapacity(CommitteeView view, MeetingKind kind, string groupId, string personId, DateTimeOffset now)
    {
        if (view.HeadOn(now) == personId)
        {
            return new ActingCapacity(personId, MeetingAuthority.Head, null);
        }

        if (kind == MeetingKind.WorkingGroup && view.IsLeaderOf(groupId, personId))
        {
            return new ActingCapacity(personId, MeetingAuthority.GroupLeader, null);
        }

        if (view.IsHeadOrDelegate(personId, DelegationScope.ChairMeetings, now))
        {
            return view.RequireHeadOrDelegate(personId, DelegationScope.ChairMeetings, now, "G1");
        }

        throw Refuse.Rule("G1", "CHAIR_NOT_AUTHORISED",
            $"{personId} may not chair: the Head chairs, or a Deputy Head under an active delegation to chair meetings.",
            $"{personId} không được chủ trì: Trưởng Ban chủ trì, hoặc Phó Trưởng Ban được ủy quyền chủ trì còn hiệu lực.",
            ("chair_person_id", personId));
    }

    /// <summary>
    /// G1: the members invited unless the chair decides otherwise. Committee meetings: every seat that
    /// exists on the meeting day (a vacant seat is still invited, as a seat). Standing Board meetings:
    /// the seats of Điều 6.1 (Head, Standing Deputy Head, Deputy Heads). A working group's meeting: its
    /// members — through their committee seat when they hold one, else their agency. Conferences: none
    /// by default; the chair invites.
    /// </summary>
    private static IEnumerable<Invitee> DefaultInvitees(CommitteeView view, MeetingKind kind, string groupId, DateOnly day)
    {
        switch (kind)
        {
            case MeetingKind.Conference:
                return [];
            case MeetingKind.WorkingGroup:
            {
                var invitees = new List<Invitee>();
                foreach (var member in view.Group(groupId)!.Members)
                {
                    var seat = view.SeatOf(member.PersonId, day);
                    var invitee = seat is not null
                        ? SeatInvitee(seat, day)
                        : view.Agencies.ContainsKey(member.AgencyId) ? AgencyInvitee(view, member.AgencyId, string.Empty) : null;
                    if (invitee is not null && !invitees.Any(i => SameInvitee(i, invitee)))
                    {
                        invitees.Add(invitee);
                    }
                }

                return invitees;
            }
            default:
                return view.RosterOn(day)
                    .Where(r => kind != MeetingKind.StandingBoard || r.Seat.Role is Role.Head or Role.StandingDeputyHead or Role.DeputyHead)
                    .Select(r => SeatInvitee(r.Seat, day))
                    .ToList();
        }
    }

    private static Invitee SeatInvitee(SeatView seat, DateOnly day)
    {
        var holder = seat.HolderOn(day);
        return new Invitee
        {
            Kind = InviteeKind.Member,
            SeatId = seat.SeatId,
            PersonId = holder?.PersonId ?? string.Empty,
            AgencyId = seat.AgencyId,
            DisplayName = holder is null ? seat.Title : $"{holder.FullName} — {seat.Title}",
        };
    }

    private static Invitee AgencyInvitee(CommitteeView view, string agencyId, string displayName) => new()
    {
        Kind = InviteeKind.InvitedAgency,
        AgencyId = agencyId,
        DisplayName = displayName.Length > 0 ? displayName : view.Agencies[agencyId].Name,
    };

    private static bool SameInvitee(Invitee a, Invitee b) =>
        a.Kind == b.Kind && (a.Kind == InviteeKind.Member ? a.SeatId == b.SeatId : a.AgencyId == b.AgencyId);

    private static bool Concerns(AbsenceRequest absence, Invitee invitee) =>
        invitee.Kind == InviteeKind.Member ? absence.SeatId.Length > 0 && absence.SeatId == invitee.SeatId
            : absence.SeatId.Length == 0 && absence.AgencyId == invitee.AgencyId;

    private void RequireOpen(string rule)
    {
        if (State.Status is MeetingStatus.Held or MeetingStatus.Cancelled)
        {
            throw Refuse.Rule(rule, "MEETING_CLOSED",
                $"The meeting is {(State.Status == MeetingStatus.Held ? "already held" : "cancelled")}.",
                $"Cuộc họp {(State.Status == MeetingStatus.Held ? "đã diễn ra" : "đã bị hủy")}.",
                ("status", State.Status.ToString()));
        }
    }

    private void RequireProposal()
    {
        if (State.Proposal is null)
        {
            throw Refuse.Rule("G2", "PROPOSAL_REPORT_MISSING",
                "The Standing Agency has not filed the proposal report for this meeting.",
                "Cơ quan thường trực chưa có báo cáo đề xuất cho cuộc họp này.");
        }
    }

    private static PermissionDeniedException NotInvited() =>
        Refuse.Permission("G3", "NOT_INVITED", "You are not invited to this meeting.", "Bạn không có trong thành phần mời của cuộc họp này.");

    private static FieldViolation UnknownAgency(string field, string agencyId) =>
        new(field, $"Agency '{agencyId}' is not registered in this committee.", $"Cơ quan '{agencyId}' chưa được đăng ký trong Ban Chỉ đạo.");

    private static void ThrowIfAny(List<FieldViolation> violations)
    {
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private static DateTime ProvinceLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ProvinceTime.Zone).DateTime;

    private void Record(string action, string summary, Actor actor, DateTimeOffset now, string requestId) =>
        State.History.Add(Bcd.ServiceDefaults.Storage.History.Entry(action, summary, actor, now, requestId));
}
