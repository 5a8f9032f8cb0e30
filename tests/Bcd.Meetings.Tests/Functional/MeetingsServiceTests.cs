using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using static Bcd.Meetings.Tests.Functional.MeetingsHost;

namespace Bcd.Meetings.Tests.Functional;

/// <summary>The meetings service through a real gRPC channel against a real Redis (issue 4, rules G1–G6).</summary>
[Collection(MeetingsRedisCollection.Name)]
public sealed class MeetingsServiceTests(RedisFixture redis) : IAsyncLifetime
{
    private MeetingsHost _host = null!;

    private MeetingsService.MeetingsServiceClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await MeetingsHost.StartAsync(redis);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // ---- G1 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G1_HeadConvenesAQuarterlyMeeting_ChairsIt_MembersInvitedByDefault_MeetingConvenedPublished()
    {
        var meeting = (await Client.ConveneMeetingAsync(ConveneRequest(), As(HeadToken))).Meeting;

        Assert.Equal(MeetingStatus.Convened, meeting.Status);
        Assert.Equal(Head, meeting.ChairPersonId);
        Assert.Equal(Head, meeting.ConvenedBy.PersonId);
        Assert.Equal("HEAD", meeting.ConvenedBy.ActingAs);
        Assert.Equal(1, meeting.Version);
        Assert.Equal(
            new[] { HeadSeat, KhcnSeat, NoiVuSeat, StandingDeputySeat }.Order(),
            meeting.Invitees.Where(i => i.Kind == InviteeKind.Member).Select(i => i.SeatId).Order());
        Assert.Equal(MemberKhcn, meeting.Invitees.Single(i => i.SeatId == KhcnSeat).PersonId);

        var listed = await Client.ListMeetingsAsync(new ListMeetingsRequest { CommitteeId = CommitteeId, Year = 2026 }, As(KhcnToken));
        Assert.Equal(meeting.MeetingId, Assert.Single(listed.Meetings).MeetingId);

        var (envelope, convened) = Assert.Single(await _host.PublishedAsync<MeetingConvened>());
        Assert.Equal(meeting.MeetingId, convened.Meeting.MeetingId);
        Assert.Equal("/bcd/meetings", envelope.Source);
        Assert.Equal(Head, convened.Actor.PersonId);
    }

    [Theory]
    [InlineData(MemberKhcn, "so-khcn")]
    [InlineData(StandingDeputy, "cong-an-tinh")] // the Standing Deputy Head convenes only under a delegation
    public async Task G1_AnyoneButTheHeadWithoutDelegationCannotConvene_PermissionDenied(string personId, string agencyId)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.ConveneMeetingAsync(ConveneRequest(), As(TestTokens.For(personId, CommitteeId, agencyId))));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        var info = ex.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("NOT_HOLDER_OR_DELEGATE", info.Reason);
        Assert.Equal("bcd.gov.vn", info.Domain);
        Assert.Equal("G1", info.Metadata["rule"]);
        var listed = await Client.ListMeetingsAsync(new ListMeetingsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        Assert.Empty(listed.Meetings);
    }

    [Fact]
    public async Task X4_CallerOfAnotherCommitteeIsRefused_EvenToRead()
    {
        var meeting = await _host.ConveneAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.GetMeetingAsync(new GetMeetingRequest { CommitteeId = CommitteeId, MeetingId = meeting.MeetingId }, As(OtherCommitteeToken)));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("OTHER_COMMITTEE", ex.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    // ---- G2 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G2_MeetingCannotBeConfirmedOrHeldWithoutTheProposalReport_FailedPreconditionNamingTheRule()
    {
        var meeting = await _host.ConveneAsync();

        var confirm = await Assert.ThrowsAsync<RpcException>(async () => await Client.ConfirmMeetingAsync(new ConfirmMeetingRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId,
        }, As(HeadToken)));

        Assert.Equal(StatusCode.FailedPrecondition, confirm.StatusCode);
        var status = confirm.GetRpcStatus()!;
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal("PROPOSAL_REPORT_MISSING", info.Reason);
        Assert.Equal("bcd.gov.vn", info.Domain);
        Assert.Equal("G2", info.Metadata["rule"]);
        var vi = status.GetDetail<LocalizedMessage>();
        Assert.Equal("vi-VN", vi.Locale);
        Assert.Contains("báo cáo đề xuất", vi.Message, StringComparison.Ordinal);

        _host.Time.SetUtcNow(MeetingStart.AddHours(1));
        var held = await Assert.ThrowsAsync<RpcException>(async () => await Client.RecordMeetingHeldAsync(new RecordMeetingHeldRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId, PresentSeatIds = { HeadSeat },
        }, As(HeadToken)));
        Assert.Equal(StatusCode.FailedPrecondition, held.StatusCode);
        Assert.Equal("PROPOSAL_REPORT_MISSING", held.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var after = await _host.GetMeetingAsync(meeting.MeetingId);
        Assert.Equal(MeetingStatus.Convened, after.Status);
        Assert.Equal(meeting.Version, after.Version);
    }

    [Fact]
    public async Task G2_StandingAgencyFilesTheProposal_HeadConfirms_MeetingRecordedHeldOnceStarted()
    {
        var meeting = await _host.ConveneAsync();
        var notStandingAgency = await Assert.ThrowsAsync<RpcException>(async () => await Client.FileProposalReportAsync(new FileProposalReportRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId, Report = Proposal(),
        }, As(KhcnToken)));
        Assert.Equal(StatusCode.PermissionDenied, notStandingAgency.StatusCode);
        Assert.Equal("STANDING_AGENCY_ONLY", notStandingAgency.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var filed = await _host.FileProposalAsync(meeting.MeetingId);
        Assert.Equal(StandingAgencyStaff, filed.Proposal.FiledBy.PersonId);
        Assert.Equal("STANDING_AGENCY", filed.Proposal.FiledBy.ActingAs);
        Assert.Equal(Proposal().Documents, filed.Proposal.Documents);

        var confirmed = await _host.ConfirmAsync(meeting.MeetingId);
        Assert.Equal(MeetingStatus.Confirmed, confirmed.Status);

        var early = await Assert.ThrowsAsync<RpcException>(async () => await Client.RecordMeetingHeldAsync(new RecordMeetingHeldRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId,
        }, As(HeadToken)));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Equal("MEETING_NOT_STARTED", early.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var held = await _host.HoldAsync(meeting);

        Assert.Equal(MeetingStatus.Held, held.Status);
        Assert.Equal([HeadSeat, StandingDeputySeat, KhcnSeat], held.PresentSeatIds);
        var register = await Client.GetAttendanceRegisterAsync(
            new GetAttendanceRegisterRequest { CommitteeId = CommitteeId, MeetingId = meeting.MeetingId }, As(HeadToken));
        Assert.Equal(AttendanceStatus.AbsentWithoutNotice, register.Lines.Single(l => l.Invitee.SeatId == NoiVuSeat).Status);
        Assert.Equal(AttendanceStatus.Present, register.Lines.Single(l => l.Invitee.SeatId == KhcnSeat).Status);
        var (_, heldEvent) = Assert.Single(await _host.PublishedAsync<MeetingHeld>());
        Assert.Equal(meeting.MeetingId, heldEvent.MeetingId);
        Assert.Equal(MeetingKind.QuarterlyPeriodic, heldEvent.Kind);
        Assert.Equal([HeadSeat, StandingDeputySeat, KhcnSeat], heldEvent.PresentSeatIds);
    }

    // ---- G3 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G3_AbsenceAt2359TheDayBeforeIsOnTime_AtMidnightOfTheMeetingDayIsRecordedLate_AndCanStillBeDecided()
    {
        var meeting = await _host.ConveneAsync();
        var cutoff = Local(2026, 9, 15, 0);

        _host.Time.SetUtcNow(Local(2026, 9, 14, 23, 59));
        var onTime = (await Client.RequestAbsenceAsync(AbsenceRequest(meeting.MeetingId), As(KhcnToken))).Absence;
        _host.Time.SetUtcNow(cutoff);
        var late = (await Client.RequestAbsenceAsync(AbsenceRequest(meeting.MeetingId), As(NoiVuToken))).Absence;

        Assert.False(onTime.Late);
        Assert.Equal(KhcnSeat, onTime.SeatId);
        Assert.Equal(MemberKhcn, onTime.PersonId);
        Assert.Equal(Timestamp.FromDateTimeOffset(cutoff), onTime.Cutoff);
        Assert.True(late.Late);
        Assert.Equal(AbsenceDecision.Pending, late.Decision);

        var notHead = await Assert.ThrowsAsync<RpcException>(async () => await Client.DecideAbsenceAsync(
            Decision(meeting.MeetingId, late.AbsenceId), As(StandingDeputyToken)));
        Assert.Equal(StatusCode.PermissionDenied, notHead.StatusCode);
        Assert.Equal("HEAD_APPROVAL_REQUIRED", notHead.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var decided = (await Client.DecideAbsenceAsync(Decision(meeting.MeetingId, late.AbsenceId), As(HeadToken))).Absence;
        Assert.Equal(AbsenceDecision.Approved, decided.Decision);
        Assert.True(decided.Late);
        await Client.DecideAbsenceAsync(Decision(meeting.MeetingId, onTime.AbsenceId), As(HeadToken));
        var register = await Client.GetAttendanceRegisterAsync(
            new GetAttendanceRegisterRequest { CommitteeId = CommitteeId, MeetingId = meeting.MeetingId }, As(HeadToken));
        Assert.Equal(AttendanceStatus.LateNotice, register.Lines.Single(l => l.Invitee.SeatId == NoiVuSeat).Status);
        Assert.Equal(AttendanceStatus.ApprovedAbsence, register.Lines.Single(l => l.Invitee.SeatId == KhcnSeat).Status);
    }

    [Fact]
    public async Task G3_PersonHoldingNoInvitedSeatCannotAskToBeExcused_PermissionDenied()
    {
        var meeting = await _host.ConveneAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.RequestAbsenceAsync(
            AbsenceRequest(meeting.MeetingId), As(TestTokens.For("can-bo-so-tai-chinh", CommitteeId, "so-tai-chinh"))));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        var info = ex.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("NOT_INVITED", info.Reason);
        Assert.Equal("G3", info.Metadata["rule"]);
        Assert.Empty((await _host.GetMeetingAsync(meeting.MeetingId)).Absences);
    }

    // ---- G4 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G4_NoticesAreNumberedPerCommitteeAndYear_ConclusionIssuedCarriesTheDirectives()
    {
        var meeting = await _host.HeldMeetingAsync();

        var first = (await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId,
            SixClear("Triển khai nền tảng dữ liệu dùng chung", "so-khcn", "so-noi-vu")), As(HeadToken))).Notice;
        var second = (await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId,
            SixClear("Rà soát thủ tục hành chính", "so-noi-vu")), As(HeadToken))).Notice;

        Assert.Equal("1/TB-BCĐ", first.Number);
        Assert.Equal(1, first.Sequence);
        Assert.Equal(2026, first.Year);
        Assert.Equal("2/TB-BCĐ", second.Number);
        Assert.Equal(
            new[] { Head, MemberKhcn, MemberNoiVu, StandingDeputy }.Order(),
            first.Recipients.Where(r => r.PersonId.Length > 0).Select(r => r.PersonId).Order());
        Assert.Equal(["so-khcn", "so-noi-vu"], first.Recipients.Where(r => r.PersonId.Length == 0).Select(r => r.AgencyId));
        Assert.All(first.Recipients, r => Assert.Equal(first.IssuedAt, r.DeliveredAt));
        Assert.Equal([first.NoticeId, second.NoticeId], (await _host.GetMeetingAsync(meeting.MeetingId)).ConclusionNoticeIds);

        var published = await _host.PublishedAsync<ConclusionIssued>(atLeast: 2);
        Assert.Equal(["1/TB-BCĐ", "2/TB-BCĐ"], published.Select(p => p.Event.Notice.Number));
        var directive = Assert.Single(Assert.Single(published[0].Event.Notice.Items).Directives);
        Assert.Equal("Triển khai nền tảng dữ liệu dùng chung", directive.Work);
        Assert.Equal("so-khcn", directive.LeadAgencyId);
        Assert.Equal(["so-noi-vu"], directive.CoordinatingAgencyIds);
        Assert.Equal(new DateOnly(2026, 12, 31), new DateOnly(directive.Deadline.Year, directive.Deadline.Month, directive.Deadline.Day));
        Assert.Equal(Head, directive.AssigningAuthority.PersonId);
        Assert.Equal(Head, published[0].Event.Actor.PersonId);
    }

    /// <summary>
    /// Notice numbers are taken in turn: issuers of one committee racing each other all succeed,
    /// with consecutive numbers, none twice and none skipped.
    /// </summary>
    [Fact]
    public async Task G4_ConcurrentNoticesOfOneCommitteeGetConsecutiveNumbersWithoutRefusals()
    {
        var meeting = await _host.HeldMeetingAsync();

        var issued = await Task.WhenAll(Enumerable.Range(1, 12).Select(async i =>
            (await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId,
                SixClear($"Nhiệm vụ song song {i}", "so-khcn")), As(HeadToken))).Notice));

        Assert.Equal(Enumerable.Range(1, 12), issued.Select(n => n.Sequence).Order());
        Assert.Equal(12, (await _host.GetMeetingAsync(meeting.MeetingId)).ConclusionNoticeIds.Count);
    }

    [Fact]
    public async Task G4_DirectiveMissingItsLeadAgencyIsRefusedWithAFieldViolationNamingIt_NothingChanges()
    {
        var meeting = await _host.HeldMeetingAsync();
        var withoutLead = SixClear("Triển khai nền tảng dữ liệu dùng chung", "so-khcn");
        withoutLead.LeadAgencyId = string.Empty;

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId, withoutLead), As(HeadToken)));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violations = ex.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        Assert.Contains(violations, v => v.Field == "items[0].directives[0].lead_agency_id");
        var after = await _host.GetMeetingAsync(meeting.MeetingId);
        Assert.Equal(meeting.Version, after.Version);
        Assert.Empty(after.ConclusionNoticeIds);

        // The refused notice took no number: the next valid one is the first of the year.
        var issued = (await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId,
            SixClear("Triển khai nền tảng dữ liệu dùng chung", "so-khcn")), As(HeadToken))).Notice;
        Assert.Equal("1/TB-BCĐ", issued.Number);
        Assert.Equal(issued.NoticeId, Assert.Single(await _host.PublishedAsync<ConclusionIssued>()).Event.Notice.NoticeId);
    }

    [Fact]
    public async Task G4_RecipientsAcknowledge_NoticesStillUnacknowledgedAfterTheConfiguredDaysAreListed()
    {
        var meeting = await _host.HeldMeetingAsync();
        var notice = (await Client.IssueConclusionAsync(ConclusionRequest(meeting.MeetingId,
            SixClear("Triển khai nền tảng dữ liệu dùng chung", "so-khcn", "so-noi-vu")), As(HeadToken))).Notice;
        var issuedAt = _host.Time.GetUtcNow();

        var outsider = await Assert.ThrowsAsync<RpcException>(async () => await Client.AcknowledgeConclusionAsync(
            Acknowledge(notice.NoticeId), As(TestTokens.For("can-bo-so-tai-chinh", CommitteeId, "so-tai-chinh"))));
        Assert.Equal(StatusCode.PermissionDenied, outsider.StatusCode);
        Assert.Equal("NOT_A_RECIPIENT", outsider.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        _host.Time.Advance(TimeSpan.FromHours(2));
        var acknowledged = (await Client.AcknowledgeConclusionAsync(Acknowledge(notice.NoticeId), As(KhcnToken))).Notice;

        // The Director of Sở KH&CN acknowledges for himself and for his agency, which leads the directive.
        var mine = acknowledged.Recipients.Where(r => r.PersonId == MemberKhcn || (r.PersonId.Length == 0 && r.AgencyId == "so-khcn")).ToList();
        Assert.Equal(2, mine.Count);
        Assert.All(mine, r => Assert.Equal(Timestamp.FromDateTimeOffset(issuedAt.AddHours(2)), r.AcknowledgedAt));
        Assert.Equal(4, acknowledged.Recipients.Count(r => r.AcknowledgedAt is null));
        Assert.Equal(2, (await _host.PublishedAsync<ConclusionAcknowledged>(atLeast: 2)).Count);

        var tooSoon = await Client.ListUnacknowledgedConclusionsAsync(new ListUnacknowledgedConclusionsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        Assert.Empty(tooSoon.Conclusions);

        _host.Time.SetUtcNow(issuedAt.AddDays(7));
        var listed = await Client.ListUnacknowledgedConclusionsAsync(new ListUnacknowledgedConclusionsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        var entry = Assert.Single(listed.Conclusions);
        Assert.Equal(notice.NoticeId, entry.Notice.NoticeId);
        Assert.Equal(
            new[] { "person:" + Head, "person:" + MemberNoiVu, "person:" + StandingDeputy, "agency:so-noi-vu" }.Order(),
            entry.Pending.Select(r => r.PersonId.Length > 0 ? "person:" + r.PersonId : "agency:" + r.AgencyId).Order());
        var longer = await Client.ListUnacknowledgedConclusionsAsync(
            new ListUnacknowledgedConclusionsRequest { CommitteeId = CommitteeId, OlderThanDays = 8 }, As(HeadToken));
        Assert.Empty(longer.Conclusions);
    }

    // ---- G5 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G5_StandingAgencyConsults_MembersAnswer_CompilationIsComputed_StandingDeputyDecides_DecisionPublished()
    {
        var deadline = Start.AddDays(3);
        var notStandingAgency = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.OpenConsultationAsync(OpenRequest(deadline), As(HeadToken)));
        Assert.Equal(StatusCode.PermissionDenied, notStandingAgency.StatusCode);
        Assert.Equal("G5", notStandingAgency.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["rule"]);

        var opened = (await Client.OpenConsultationAsync(OpenRequest(deadline), As(StandingAgencyToken))).Consultation;
        Assert.Equal(ConsultationStatus.Open, opened.Status);
        Assert.Equal(new[] { Head, MemberKhcn, MemberNoiVu, StandingDeputy }.Order(), opened.RecipientPersonIds.Order());

        await Client.AnswerConsultationAsync(Answer(opened.ConsultationId, ConsultationPosition.Agree, "Đồng ý"), As(KhcnToken));
        await Client.AnswerConsultationAsync(Answer(opened.ConsultationId, ConsultationPosition.Disagree, "Chưa đủ kinh phí"), As(NoiVuToken));
        _host.Time.Advance(TimeSpan.FromHours(1));
        await Client.AnswerConsultationAsync(Answer(opened.ConsultationId, ConsultationPosition.Comment, "Đồng ý, đề nghị bổ sung lộ trình"), As(KhcnToken));
        var notRecipient = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.AnswerConsultationAsync(Answer(opened.ConsultationId, ConsultationPosition.Agree, "Đồng ý"), As(StandingAgencyToken)));
        Assert.Equal("NOT_A_RECIPIENT", notRecipient.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var read = (await Client.GetConsultationAsync(
            new GetConsultationRequest { CommitteeId = CommitteeId, ConsultationId = opened.ConsultationId }, As(HeadToken))).Consultation;
        Assert.Equal(0, read.Compilation.Agree);
        Assert.Equal(1, read.Compilation.Disagree);
        Assert.Equal(1, read.Compilation.Comment);
        Assert.Equal(4, read.Compilation.Recipients);
        Assert.Equal(new[] { Head, StandingDeputy }.Order(), read.Compilation.NotAnsweredPersonIds.Order());
        var khcn = read.Answers.Single(a => a.PersonId == MemberKhcn);
        Assert.Equal(ConsultationPosition.Comment, khcn.Position);
        Assert.Equal(ConsultationPosition.Agree, Assert.Single(khcn.Replaced).Position);

        var member = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.DecideConsultationAsync(Decide(opened.ConsultationId), As(KhcnToken)));
        Assert.Equal(StatusCode.PermissionDenied, member.StatusCode);
        Assert.Equal("HEAD_OR_STANDING_DEPUTY_ONLY", member.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        var early = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.DecideConsultationAsync(Decide(opened.ConsultationId), As(HeadToken)));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Equal("CONSULTATION_STILL_OPEN", early.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        _host.Time.SetUtcNow(deadline.AddMinutes(1));
        var decided = (await Client.DecideConsultationAsync(Decide(opened.ConsultationId), As(StandingDeputyToken))).Consultation;

        Assert.Equal(ConsultationStatus.Decided, decided.Status);
        Assert.Equal(StandingDeputy, decided.DecidedBy.PersonId);
        Assert.Equal("STANDING_DEPUTY_HEAD", decided.DecidedBy.ActingAs);
        var (_, evt) = Assert.Single(await _host.PublishedAsync<ConsultationDecided>());
        Assert.Equal(opened.ConsultationId, evt.Consultation.ConsultationId);
        Assert.StartsWith("Thông qua Kế hoạch", evt.Consultation.Decision, StringComparison.Ordinal);
        Assert.Equal(1, evt.Consultation.Compilation.Disagree);
        Assert.Equal(StandingDeputy, evt.Actor.PersonId);
    }

    // ---- G6 ----------------------------------------------------------------------------------------

    [Fact]
    public async Task G6_CadenceReport_QuarterWithAHeldPeriodicMeeting_EndedQuartersWithoutOneMissed_CurrentQuarterInProgress()
    {
        var held = await _host.HeldMeetingAsync();
        // Convened for Q4 but not held: it does not count.
        await _host.ConveneAsync(startsAt: Local(2026, 10, 20, 8));
        _host.Time.SetUtcNow(Local(2026, 10, 2, 9));

        var report = (await Client.GetCadenceReportAsync(new GetCadenceReportRequest { CommitteeId = CommitteeId, Year = 2026 }, As(KhcnToken))).Report;

        Assert.Equal(
            new[] { (1, false, true, false, ""), (2, false, true, false, ""), (3, true, false, false, held.MeetingId), (4, false, false, true, "") },
            report.Quarters.Select(q => (q.Quarter, q.Held, q.Missed, q.InProgress, q.PeriodicMeetingId)));
        Assert.False(report.SixMonthReviewHeld);
        Assert.False(report.YearEndReviewHeld);
        Assert.Equal(Timestamp.FromDateTimeOffset(Local(2026, 10, 2, 9)), report.AsOf);
    }

    // ---- request_id ----------------------------------------------------------------------------------

    [Fact]
    public async Task SameRequestIdTwice_ReturnsTheFirstResponse_AndConvenesOneMeeting()
    {
        var request = ConveneRequest(requestId: "req-convene-once");

        var first = await Client.ConveneMeetingAsync(request, As(HeadToken));
        _host.Time.Advance(TimeSpan.FromMinutes(5));
        var retry = await Client.ConveneMeetingAsync(request, As(HeadToken));
        var changed = request.Clone();
        changed.Title = "Tiêu đề khác";
        var sameIdOtherBody = await Client.ConveneMeetingAsync(changed, As(HeadToken));

        Assert.Equal(first, retry);
        Assert.Equal(first, sameIdOtherBody);
        var listed = await Client.ListMeetingsAsync(new ListMeetingsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        Assert.Equal(first.Meeting.MeetingId, Assert.Single(listed.Meetings).MeetingId);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static RequestAbsenceRequest AbsenceRequest(string meetingId) => new()
    {
        RequestId = NewRequestId(),
        CommitteeId = CommitteeId,
        MeetingId = meetingId,
        Reason = "Đi công tác Trung ương",
        Opinion = "Nhất trí với dự thảo báo cáo; đề nghị bổ sung chỉ tiêu chuyển đổi số.",
    };

    private static DecideAbsenceRequest Decision(string meetingId, string absenceId) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meetingId, AbsenceId = absenceId, Approve = true,
    };

    private static AcknowledgeConclusionRequest Acknowledge(string noticeId) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, NoticeId = noticeId,
    };

    private static OpenConsultationRequest OpenRequest(DateTimeOffset deadline) => new()
    {
        RequestId = NewRequestId(),
        CommitteeId = CommitteeId,
        Question = "Xin ý kiến dự thảo Kế hoạch chuyển đổi số năm 2027",
        Deadline = Timestamp.FromDateTimeOffset(deadline),
    };

    private static AnswerConsultationRequest Answer(string consultationId, ConsultationPosition position, string text) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, ConsultationId = consultationId, Position = position, Text = text,
    };

    private static DecideConsultationRequest Decide(string consultationId) => new()
    {
        RequestId = NewRequestId(),
        CommitteeId = CommitteeId,
        ConsultationId = consultationId,
        Decision = "Thông qua Kế hoạch chuyển đổi số năm 2027",
        Document = new Bcd.Contracts.Common.V1.Decision { Number = "88/QĐ-BCĐ", Date = new Google.Type.Date { Year = 2026, Month = 9, Day = 4 } },
    };
}
