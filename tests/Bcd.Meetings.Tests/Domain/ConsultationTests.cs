using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Meetings.Domain;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using static Bcd.Meetings.Tests.TestCommittee;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>G5: written consultation — the Standing Agency opens, recipients answer, the compilation is computed, the Head or Standing Deputy decides.</summary>
public sealed class ConsultationTests
{
    // 09:00 on 1 July 2026 in Asia/Ho_Chi_Minh; the deadline is three days later.
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Deadline = Now.AddDays(3);

    private static readonly string[] AllMembers = [Head, StandingDeputy, Deputy, MemberKhcn, MemberNoiVu];

    private static ConsultationAggregate Open(params string[] recipients) =>
        ConsultationAggregate.Open("cons-1", StandingAgency, Build(), "Đề xuất bổ sung nhiệm vụ chuyển đổi số?",
            [new DocumentRef { Title = "Tờ trình 12/TTr-CA", Uri = "https://vb.bacninh.gov.vn/12", Sha256 = new string('a', 64), Classification = Classification.Internal }],
            recipients, Deadline, Now);

    private static ConsultationAggregate OpenAndAnswerAll()
    {
        var consultation = Open();
        foreach (var person in AllMembers)
        {
            consultation.Answer(Person(person), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1));
        }

        return consultation;
    }

    // ---- open ----------------------------------------------------------------------------------

    public static TheoryData<Caller> NotTheStandingAgency => new()
    {
        Person(MemberKhcn, "so-khcn"),
        Person(Head, "ubnd-tinh"),
        Person(StandingDeputy),                                                   // no agency asserted
        StandingAgency with { CommitteeId = "another-committee" },                // the Standing Agency of another committee
    };

    [Theory]
    [MemberData(nameof(NotTheStandingAgency))]
    public void OpenByOtherThanTheStandingAgencyIsRefused_G5(Caller caller)
    {
        var ex = Assert.Throws<PermissionDeniedException>(() =>
            ConsultationAggregate.Open("cons-1", caller, Build(), "Câu hỏi", [], [], Deadline, Now));

        Assert.Equal("G5", ex.Rule);
        Assert.Equal("STANDING_AGENCY_ONLY", ex.Reason);
    }

    [Fact]
    public void OpenWithoutRecipientsConsultsEveryMemberHoldingASeatToday_G5()
    {
        var consultation = Open().State;

        // The vacant Sở Tài chính seat has nobody to consult.
        Assert.Equal(AllMembers, consultation.RecipientPersonIds);
        Assert.Equal(ConsultationStatus.Open, consultation.Status);
        Assert.Equal(StandingAgencyStaff, consultation.OpenedBy.PersonId);
        Assert.Equal(ConsultationAggregate.StandingAgencyRole, consultation.OpenedBy.ActingAs);
        Assert.Equal(Now, consultation.OpenedAt.ToDateTimeOffset());
        Assert.Equal(Deadline, consultation.Deadline.ToDateTimeOffset());
        Assert.Single(consultation.Documents);
        Assert.Null(consultation.Compilation);
    }

    [Fact]
    public void OpenNamingSomeoneWithoutASeatTodayIsRefused_G5()
    {
        var ex = Assert.Throws<InvalidArgumentException>(() => Open(MemberKhcn, "nguoi-ngoai-ban-chi-dao"));

        Assert.Equal("recipient_person_ids[1]", Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void OpenNamingAFormerMemberIsRefused_G5()
    {
        // Sở KH&CN's director left the seat yesterday; the successor holds it today.
        var view = Build();
        var yesterday = DateOnly.FromDateTime(Now.DateTime).AddDays(-1);
        view = view with
        {
            Seats = view.Seats.Select(s => s.SeatId != "seat-giam-doc-so-khcn" ? s : s with
            {
                Tenures = [new TenureView(MemberKhcn, "Giám đốc cũ", Founded, yesterday), new TenureView("giam-doc-moi", "Giám đốc mới", yesterday.AddDays(1), null)],
            }).ToList(),
        };

        Assert.Throws<InvalidArgumentException>(() =>
            ConsultationAggregate.Open("cons-1", StandingAgency, view, "Câu hỏi", [], [MemberKhcn], Deadline, Now));
        var opened = ConsultationAggregate.Open("cons-2", StandingAgency, view, "Câu hỏi", [], ["giam-doc-moi"], Deadline, Now);
        Assert.Equal(["giam-doc-moi"], opened.State.RecipientPersonIds);
    }

    [Theory]
    [InlineData(0)]        // a deadline now is not in the future
    [InlineData(-1)]
    [InlineData(-86400)]
    public void OpenWithADeadlineNotInTheFutureIsRefused_G5(int secondsFromNow)
    {
        var ex = Assert.Throws<InvalidArgumentException>(() =>
            ConsultationAggregate.Open("cons-1", StandingAgency, Build(), "Câu hỏi", [], [], Now.AddSeconds(secondsFromNow), Now));

        Assert.Equal("deadline", Assert.Single(ex.Violations).Field);
    }

    // ---- answer --------------------------------------------------------------------------------

    [Theory]
    [InlineData(StandingAgencyStaff)]
    [InlineData(Head)]            // a member, but not among the named recipients
    [InlineData("nguoi-ngoai")]
    public void AnswerByANonRecipientIsRefused_G5(string personId)
    {
        var consultation = Open(MemberKhcn, MemberNoiVu);

        var ex = Assert.Throws<PermissionDeniedException>(() =>
            consultation.Answer(Person(personId), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1)));

        Assert.Equal("G5", ex.Rule);
        Assert.Equal("NOT_A_RECIPIENT", ex.Reason);
        Assert.Empty(consultation.State.Answers);
    }

    [Theory]
    [InlineData(-1, true)]       // the last second before the deadline still counts
    [InlineData(0, false)]       // at the deadline answers are closed
    [InlineData(1, false)]
    [InlineData(86400, false)]
    public void AnswerAtOrAfterTheDeadlineIsRefused_G5(int secondsFromDeadline, bool accepted)
    {
        var consultation = Open();
        var at = Deadline.AddSeconds(secondsFromDeadline);

        if (accepted)
        {
            consultation.Answer(Person(MemberKhcn), ConsultationPosition.Disagree, "Không đồng ý", at);
            Assert.Single(consultation.State.Answers);
        }
        else
        {
            var ex = Assert.Throws<RuleViolationException>(() =>
                consultation.Answer(Person(MemberKhcn), ConsultationPosition.Disagree, "Không đồng ý", at));
            Assert.Equal("G5", ex.Rule);
            Assert.Equal("CONSULTATION_CLOSED", ex.Reason);
            Assert.Empty(consultation.State.Answers);
        }
    }

    [Fact]
    public void ChangedAnswerBeforeDeadlineReplacesTheOldOneAndKeepsIt_G5()
    {
        var consultation = Open();
        var khcn = Person(MemberKhcn);

        consultation.Answer(khcn, ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1));
        consultation.Answer(khcn, ConsultationPosition.Disagree, "Không đồng ý vì thiếu kinh phí", Now.AddHours(2));
        consultation.Answer(khcn, ConsultationPosition.Comment, "Đề nghị bổ sung dự toán", Now.AddHours(3));

        var answer = Assert.Single(consultation.State.Answers);
        Assert.Equal(ConsultationPosition.Comment, answer.Position);
        Assert.Equal("Đề nghị bổ sung dự toán", answer.Text);
        Assert.Equal(Now.AddHours(3), answer.AnsweredAt.ToDateTimeOffset());
        // History, oldest first, flat.
        Assert.Equal([ConsultationPosition.Agree, ConsultationPosition.Disagree], answer.Replaced.Select(r => r.Position));
        Assert.Equal([Now.AddHours(1), Now.AddHours(2)], answer.Replaced.Select(r => r.AnsweredAt.ToDateTimeOffset()));
        Assert.All(answer.Replaced, r => Assert.Empty(r.Replaced));

        // Only the current answer counts.
        var compilation = ConsultationAggregate.Compile(consultation.State);
        Assert.Equal((0, 0, 1), (compilation.Agree, compilation.Disagree, compilation.Comment));
    }

    [Theory]
    [InlineData(ConsultationPosition.Unspecified, "Đồng ý", "position")]
    [InlineData(ConsultationPosition.Agree, " ", "text")]
    public void AnswerWithoutPositionOrTextIsRefused_G5(ConsultationPosition position, string text, string field)
    {
        var consultation = Open();

        var ex = Assert.Throws<InvalidArgumentException>(() => consultation.Answer(Person(MemberKhcn), position, text, Now.AddHours(1)));

        Assert.Equal(field, Assert.Single(ex.Violations).Field);
    }

    // ---- compilation ---------------------------------------------------------------------------

    [Fact]
    public void CompilationCountsPositionsAndListsWhoHasNotAnswered_G5()
    {
        var consultation = Open();
        consultation.Answer(Person(Head), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1));
        consultation.Answer(Person(StandingDeputy), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1));
        consultation.Answer(Person(MemberKhcn), ConsultationPosition.Disagree, "Không đồng ý", Now.AddHours(1));
        consultation.Answer(Person(MemberNoiVu), ConsultationPosition.Comment, "Ý kiến khác", Now.AddHours(1));

        var read = ConsultationAggregate.ForRead(consultation.State, Now.AddHours(2));

        Assert.Equal(2, read.Compilation.Agree);
        Assert.Equal(1, read.Compilation.Disagree);
        Assert.Equal(1, read.Compilation.Comment);
        Assert.Equal(5, read.Compilation.Recipients);
        Assert.Equal([Deputy], read.Compilation.NotAnsweredPersonIds);
        // Computed for reads, never stored.
        Assert.Null(consultation.State.Compilation);
    }

    public static TheoryData<int, bool, ConsultationStatus> StatusCases => new()
    {
        { -1, false, ConsultationStatus.Open },
        { 0, false, ConsultationStatus.Closed },
        { 3600, false, ConsultationStatus.Closed },
        { 3600, true, ConsultationStatus.Decided },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public void StatusIsOpenBeforeTheDeadlineClosedAfterAndDecidedOnceDecided_G5(int secondsFromDeadline, bool decided, ConsultationStatus expected)
    {
        var consultation = Open();
        var at = Deadline.AddSeconds(secondsFromDeadline);
        if (decided)
        {
            consultation.Decide(Person(Head), Build(), "Thống nhất", null, at);
        }

        Assert.Equal(expected, ConsultationAggregate.ForRead(consultation.State, at).Status);
    }

    // ---- decide --------------------------------------------------------------------------------

    [Theory]
    [InlineData(Head, ConsultationAggregate.HeadRole)]
    [InlineData(StandingDeputy, ConsultationAggregate.StandingDeputyHeadRole)]
    public void DecisionByTheHeadOrTheStandingDeputyHeadIsRecorded_G5(string personId, string actingAs)
    {
        var consultation = Open();
        var at = Deadline.AddHours(1);

        consultation.Decide(Person(personId), Build(), "Thường trực BCĐ thống nhất bổ sung nhiệm vụ", null, at);

        var state = consultation.State;
        Assert.Equal("Thường trực BCĐ thống nhất bổ sung nhiệm vụ", state.Decision);
        Assert.Equal(personId, state.DecidedBy.PersonId);
        Assert.Equal(actingAs, state.DecidedBy.ActingAs);
        Assert.Equal(at, state.DecidedAt.ToDateTimeOffset());
        Assert.Equal(ConsultationStatus.Decided, state.Status);
    }

    [Theory]
    [InlineData(Deputy)]            // a Deputy Head, not the Standing one
    [InlineData(MemberKhcn)]
    [InlineData(StandingAgencyStaff)]
    public void DecisionByAnyoneElseIsRefused_G5(string personId)
    {
        var consultation = Open();

        var ex = Assert.Throws<PermissionDeniedException>(() =>
            consultation.Decide(Person(personId), Build(), "Quyết định", null, Deadline.AddHours(1)));

        Assert.Equal("G5", ex.Rule);
        Assert.Equal("HEAD_OR_STANDING_DEPUTY_ONLY", ex.Reason);
        Assert.Null(consultation.State.DecidedAt);
    }

    [Fact]
    public void DecisionByAFormerHeadIsRefused_G5()
    {
        var view = Build();
        var decisionDay = DateOnly.FromDateTime(Deadline.AddHours(1).DateTime);
        view = view with
        {
            Seats = view.Seats.Select(s => s.SeatId != "seat-head" ? s : s with
            {
                Tenures = [new TenureView(Head, "Phạm Hoàng Sơn", Founded, decisionDay.AddDays(-1)), new TenureView("truong-ban-moi", "Trưởng Ban mới", decisionDay, null)],
            }).ToList(),
        };
        var consultation = Open();

        Assert.Throws<PermissionDeniedException>(() => consultation.Decide(Person(Head), view, "Quyết định", null, Deadline.AddHours(1)));
        consultation.Decide(Person("truong-ban-moi"), view, "Quyết định", null, Deadline.AddHours(1));
        Assert.Equal(ConsultationAggregate.HeadRole, consultation.State.DecidedBy.ActingAs);
    }

    [Fact]
    public void SecondDecisionIsRefused_G5()
    {
        var consultation = Open();
        consultation.Decide(Person(Head), Build(), "Quyết định thứ nhất", null, Deadline.AddHours(1));

        var ex = Assert.Throws<RuleViolationException>(() =>
            consultation.Decide(Person(StandingDeputy), Build(), "Quyết định thứ hai", null, Deadline.AddHours(2)));

        Assert.Equal("G5", ex.Rule);
        Assert.Equal("CONSULTATION_ALREADY_DECIDED", ex.Reason);
        Assert.Equal("Quyết định thứ nhất", consultation.State.Decision);
        Assert.Equal(Head, consultation.State.DecidedBy.PersonId);
    }

    [Fact]
    public void DecisionBeforeTheDeadlineNeedsEveryRecipientsAnswer_G5()
    {
        var consultation = Open(MemberKhcn, MemberNoiVu);
        consultation.Answer(Person(MemberKhcn), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(1));

        var ex = Assert.Throws<RuleViolationException>(() =>
            consultation.Decide(Person(Head), Build(), "Quyết định", null, Now.AddHours(2)));
        Assert.Equal("CONSULTATION_STILL_OPEN", ex.Reason);
        Assert.Equal(MemberNoiVu, ex.Metadata["not_answered"]);

        consultation.Answer(Person(MemberNoiVu), ConsultationPosition.Agree, "Đồng ý", Now.AddHours(3));
        consultation.Decide(Person(Head), Build(), "Quyết định", null, Now.AddHours(4));
        Assert.Equal(ConsultationStatus.Decided, consultation.State.Status);
    }

    [Fact]
    public void AnswerAfterTheDecisionIsRefused_G5()
    {
        var consultation = OpenAndAnswerAll();
        consultation.Decide(Person(Head), Build(), "Quyết định", null, Now.AddHours(2));

        var ex = Assert.Throws<RuleViolationException>(() =>
            consultation.Answer(Person(MemberKhcn), ConsultationPosition.Disagree, "Đổi ý", Now.AddHours(3)));

        Assert.Equal("CONSULTATION_DECIDED", ex.Reason);
        Assert.Equal(ConsultationPosition.Agree, consultation.State.Answers.Single(a => a.PersonId == MemberKhcn).Position);
    }

    [Fact]
    public void DecisionRecordsItsDocument_G5()
    {
        var consultation = Open();
        var document = new Decision { Number = "15/QĐ-BCĐ", Date = new Google.Type.Date { Year = 2026, Month = 7, Day = 5 } };

        consultation.Decide(Person(Head), Build(), "Thống nhất", document, Deadline.AddHours(1));

        Assert.Equal("Thống nhất", consultation.State.Decision);
        Assert.Equal(document, consultation.State.DecisionDocument);
        Assert.Equal(document, consultation.DecidedEvent().Consultation.DecisionDocument);
    }

    [Fact]
    public void DecidedEventCarriesTheDecisionTheCompilationAndTheActor_G5()
    {
        var consultation = OpenAndAnswerAll();
        Assert.Throws<InvalidOperationException>(() => consultation.DecidedEvent());
        var at = Now.AddHours(2);
        consultation.Decide(Person(StandingDeputy), Build(), "Thống nhất", null, at);

        var decided = consultation.DecidedEvent();

        Assert.Equal("cons-1", decided.Consultation.ConsultationId);
        Assert.Equal(ConsultationStatus.Decided, decided.Consultation.Status);
        Assert.Equal(5, decided.Consultation.Compilation.Agree);
        Assert.Empty(decided.Consultation.Compilation.NotAnsweredPersonIds);
        Assert.Equal(at, decided.OccurredAt.ToDateTimeOffset());
        Assert.Equal(StandingDeputy, decided.Actor.PersonId);
        Assert.Equal(ConsultationAggregate.StandingDeputyHeadRole, decided.Actor.ActingAs);
    }
}
