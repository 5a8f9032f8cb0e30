using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Meetings.Domain;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>
/// A quarterly meeting of the Bắc Ninh committee on 15/9/2026 at 08:00 in Hà Nội, convened on 1/9,
/// with helpers that drive it through the aggregate the way the service does. Every instant is
/// written in province time (+07:00) so the tests read like the regulation.
/// </summary>
internal static class MeetingScenario
{
    public static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    public static readonly DateTimeOffset ConvenedAt = Local(2026, 9, 1, 9);
    public static readonly DateTimeOffset StartsAt = Local(2026, 9, 15, 8);
    public static readonly DateTimeOffset HeldAt = Local(2026, 9, 15, 11);

    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, Vn);

    public static Caller Head => TestCommittee.Person(TestCommittee.Head, "ubnd-tinh");
    public static Caller Deputy => TestCommittee.Person(TestCommittee.Deputy, "ubnd-tinh");
    public static Caller StandingDeputy => TestCommittee.Person(TestCommittee.StandingDeputy, TestCommittee.StandingAgencyId);
    public static Caller MemberKhcn => TestCommittee.Person(TestCommittee.MemberKhcn, "so-khcn");
    public static Caller MemberNoiVu => TestCommittee.Person(TestCommittee.MemberNoiVu, "so-noi-vu");
    public static Caller StandingAgency => TestCommittee.StandingAgency;
    public static Caller FinanceStaff => TestCommittee.Person("can-bo-so-tai-chinh", "so-tai-chinh");

    /// <summary>The Head's delegation to the Deputy Head for 1/9–1/10/2026 (province time).</summary>
    public static DelegationView DeputyDelegation(params DelegationScope[] scopes) =>
        TestCommittee.Delegation(Local(2026, 9, 1, 0), Local(2026, 10, 1, 0), scopes);

    public static CommitteeView WithDeputyDelegation(params DelegationScope[] scopes) => TestCommittee.Build(DeputyDelegation(scopes));

    public static ConveneMeetingRequest ConveneRequest(
        MeetingKind kind = MeetingKind.QuarterlyPeriodic, DateTimeOffset? startsAt = null, string chair = "", string groupId = "", params string[] agencies)
    {
        var start = startsAt ?? StartsAt;
        var request = new ConveneMeetingRequest
        {
            RequestId = "req-convene-1",
            CommitteeId = TestCommittee.CommitteeId,
            Kind = kind,
            Title = "Họp Ban Chỉ đạo quý III/2026",
            StartsAt = Timestamp.FromDateTimeOffset(start),
            EndsAt = Timestamp.FromDateTimeOffset(start.AddHours(3)),
            Location = "Trụ sở UBND tỉnh",
            WorkingGroupId = groupId,
            ChairPersonId = chair,
        };
        request.InvitedAgencyIds.AddRange(agencies);
        return request;
    }

    public static MeetingAggregate Convened(CommitteeView view, Caller? convener = null, string chair = "", MeetingKind kind = MeetingKind.QuarterlyPeriodic, params string[] agencies) =>
        MeetingAggregate.Convene("mtg-1", ConveneRequest(kind, chair: chair, agencies: agencies), convener ?? Head, view, ConvenedAt);

    public static ProposalReport Report(string objectives = "Đánh giá kết quả quý III") => new()
    {
        Objectives = objectives,
        Participants = "Thành viên Ban Chỉ đạo; đại diện Sở Tài chính",
        TaskProgress = "12/15 nhiệm vụ hoàn thành đúng hạn",
        Documents =
        {
            new DocumentRef
            {
                Title = "Báo cáo đề xuất số 01/BC-CA",
                Uri = "https://vanban.bacninh.gov.vn/01-bc-ca.pdf",
                Sha256 = new string('a', 64),
                Classification = Classification.Internal,
            },
        },
    };

    public static void FileReport(MeetingAggregate meeting, CommitteeView view, DateTimeOffset? at = null, string objectives = "Đánh giá kết quả quý III") =>
        meeting.FileProposalReport(new FileProposalReportRequest
        {
            RequestId = "req-proposal-1",
            CommitteeId = TestCommittee.CommitteeId,
            MeetingId = meeting.Id,
            Report = Report(objectives),
        }, StandingAgency, view, at ?? ConvenedAt.AddDays(2));

    public static void Confirm(MeetingAggregate meeting, CommitteeView view, Caller? caller = null, DateTimeOffset? at = null) =>
        meeting.Confirm(new ConfirmMeetingRequest { RequestId = "req-confirm-1", CommitteeId = TestCommittee.CommitteeId, MeetingId = meeting.Id },
            caller ?? Head, view, at ?? ConvenedAt.AddDays(3));

    public static MeetingAggregate ConfirmedMeeting(CommitteeView view, Caller? convener = null, string chair = "", params string[] agencies)
    {
        var meeting = Convened(view, convener, chair, MeetingKind.QuarterlyPeriodic, agencies);
        FileReport(meeting, view);
        Confirm(meeting, view, convener);
        return meeting;
    }

    public static RecordMeetingHeldRequest HeldRequest(string[] seats, string[] agencies)
    {
        var request = new RecordMeetingHeldRequest { RequestId = "req-held-1", CommitteeId = TestCommittee.CommitteeId, MeetingId = "mtg-1" };
        request.PresentSeatIds.AddRange(seats);
        request.PresentAgencyIds.AddRange(agencies);
        return request;
    }

    public static MeetingAggregate HeldMeeting(CommitteeView view, Caller? convener = null, string chair = "", params string[] presentSeats)
    {
        var meeting = ConfirmedMeeting(view, convener, chair);
        meeting.RecordHeld(HeldRequest(presentSeats, []), StandingAgency, view, HeldAt);
        return meeting;
    }

    public static RequestAbsenceRequest AbsenceRequest(string agencyId = "", string reason = "Đi công tác Trung ương", string opinion = "Nhất trí với dự thảo báo cáo") => new()
    {
        RequestId = "req-absence-1",
        CommitteeId = TestCommittee.CommitteeId,
        MeetingId = "mtg-1",
        AgencyId = agencyId,
        Reason = reason,
        Opinion = opinion,
    };

    public static DecideAbsenceRequest Decision(string absenceId, bool approve) => new()
    {
        RequestId = "req-decide-1",
        CommitteeId = TestCommittee.CommitteeId,
        MeetingId = "mtg-1",
        AbsenceId = absenceId,
        Approve = approve,
        Note = approve ? "Đồng ý" : "Đề nghị bố trí dự họp",
    };

    public static AssigningAuthority HeadAuthority => new() { PersonId = TestCommittee.Head, ActingAs = MeetingAuthority.Head };

    public static Directive Directive(string lead = "so-khcn", DateOnly? deadline = null, AssigningAuthority? authority = null, params string[] coordinating)
    {
        var directive = new Directive
        {
            Work = "Hoàn thành nền tảng dữ liệu dùng chung của tỉnh",
            LeadAgencyId = lead,
            Deadline = (deadline ?? new DateOnly(2026, 12, 31)).ToProtoDate(),
            ExpectedResult = "Nền tảng vận hành, báo cáo kết quả",
            AssigningAuthority = authority ?? HeadAuthority,
        };
        directive.CoordinatingAgencyIds.AddRange(coordinating.Length > 0 ? coordinating : ["so-noi-vu"]);
        return directive;
    }

    public static IssueConclusionRequest Conclusion(params Directive[] directives)
    {
        var item = new ConclusionItem { Text = "Ban Chỉ đạo kết luận: đẩy nhanh chuyển đổi số" };
        item.Directives.AddRange(directives.Length > 0 ? directives : [Directive()]);
        return new IssueConclusionRequest
        {
            RequestId = "req-conclusion-1",
            CommitteeId = TestCommittee.CommitteeId,
            MeetingId = "mtg-1",
            Items = { item },
        };
    }
}
