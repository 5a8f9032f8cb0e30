using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Meetings.Domain;
using Bcd.ServiceDefaults.Errors;
using Microsoft.Extensions.Time.Testing;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>
/// G3: an invitee who cannot attend asks with a reason and a written opinion before 00:00 of the
/// meeting day (Asia/Ho_Chi_Minh); the Head (members) or the chair (invited agencies) decides; late
/// requests stay visible as late. The meeting is on 15/9/2026 at 08:00 province time.
/// </summary>
public sealed class G3AbsenceTests
{
    [Fact]
    public void AbsenceRequestAt2359TheDayBeforeIsOnTime_G3()
    {
        var clock = new FakeTimeProvider(Local(2026, 9, 14, 23, 59));
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, clock.GetUtcNow(), MeetingsSettings.Default);

        Assert.False(absence.Late);
        Assert.Equal(Local(2026, 9, 15, 0), absence.Cutoff.ToDateTimeOffset());
    }

    [Fact]
    public void AbsenceRequestAt0000OnMeetingDayIsLate_G3()
    {
        var clock = new FakeTimeProvider(Local(2026, 9, 15, 0));
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, clock.GetUtcNow(), MeetingsSettings.Default);

        Assert.True(absence.Late);
        Assert.Equal(AbsenceDecision.Pending, absence.Decision);
        Assert.Contains(absence, meeting.State.Absences);
    }

    // The cut-off is the province's midnight: 17:00 UTC the day before. UTC dates mislead both ways.
    public static TheoryData<DateTimeOffset, bool> CutoffInUtc => new()
    {
        { new DateTimeOffset(2026, 9, 14, 16, 59, 59, TimeSpan.Zero), false },
        { new DateTimeOffset(2026, 9, 14, 17, 0, 0, TimeSpan.Zero), true },  // still 14/9 in UTC, already 15/9 in Hà Nội
        { new DateTimeOffset(2026, 9, 14, 23, 0, 0, TimeSpan.Zero), true },
    };

    [Theory]
    [MemberData(nameof(CutoffInUtc))]
    public void CutoffIsMidnightInTheProvinceNotInUtc_G3(DateTimeOffset at, bool late)
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        Assert.Equal(late, meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, at, MeetingsSettings.Default).Late);
    }

    [Theory]
    [InlineData(0, 14, 23, false)]
    [InlineData(1, 13, 23, false)]
    [InlineData(1, 14, 0, true)]   // a committee that wants the opinion one full day earlier
    [InlineData(2, 13, 0, true)]
    public void CutoffMovesWithTheCommitteeSetting_G3(int daysBefore, int day, int hour, bool late)
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);
        var settings = new MeetingsSettings { AbsenceCutoffDaysBefore = daysBefore };

        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, day, hour, 59), settings);

        Assert.Equal(late, absence.Late);
        Assert.Equal(Local(2026, 9, 15 - daysBefore, 0), absence.Cutoff.ToDateTimeOffset());
    }

    [Fact]
    public void LateRequestCanStillBeDecided_G3()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 15, 6), MeetingsSettings.Default);

        var decided = meeting.DecideAbsence(Decision(absence.AbsenceId, approve: true), Head, view, Local(2026, 9, 15, 7));

        Assert.Equal(AbsenceDecision.Approved, decided.Decision);
        Assert.True(decided.Late);
        Assert.Equal(TestCommittee.Head, decided.DecidedBy.PersonId);
        Assert.Equal(Local(2026, 9, 15, 7), decided.DecidedAt.ToDateTimeOffset());
    }

    [Theory]
    [InlineData("", "Nhất trí", "reason")]
    [InlineData("Đi công tác", " ", "opinion")]
    public void ReasonAndWrittenOpinionAreRequired_G3(string reason, string opinion, string field)
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var ex = Assert.Throws<InvalidArgumentException>(() =>
            meeting.RequestAbsence(AbsenceRequest(reason: reason, opinion: opinion), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default));

        Assert.Equal(field, Assert.Single(ex.Violations).Field);
        Assert.Empty(meeting.State.Absences);
    }

    [Fact]
    public void OnlyAnInviteeMayAskToBeExcused_G3()
    {
        var view = TestCommittee.Build();
        var meeting = MeetingAggregate.Convene("mtg-1", ConveneRequest(MeetingKind.StandingBoard), Head, view, ConvenedAt);

        var ex = Assert.Throws<PermissionDeniedException>(() =>
            meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default));

        Assert.Equal(("G3", "NOT_INVITED"), (ex.Rule, ex.Reason));
    }

    [Theory]
    [InlineData("so-tai-chinh", true)]
    [InlineData("so-khcn", false)]
    [InlineData(null, false)]
    public void InvitedAgencyIsExcusedOnlyByItsOwnStaff_G3(string? callerAgency, bool allowed)
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view, agencies: ["so-tai-chinh"]);
        var caller = TestCommittee.Person("can-bo", callerAgency);

        if (allowed)
        {
            var absence = meeting.RequestAbsence(AbsenceRequest("so-tai-chinh"), caller, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);
            Assert.Equal(("so-tai-chinh", ""), (absence.AgencyId, absence.SeatId));
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() =>
                meeting.RequestAbsence(AbsenceRequest("so-tai-chinh"), caller, view, Local(2026, 9, 10, 9), MeetingsSettings.Default));
        }
    }

    public static TheoryData<string, bool> MemberAbsenceDeciders => new()
    {
        { TestCommittee.Head, true },
        { TestCommittee.Deputy, true },          // chairs this meeting under an active chairing delegation
        { TestCommittee.StandingDeputy, false },
        { TestCommittee.StandingAgencyStaff, false },
        { TestCommittee.MemberNoiVu, false },
    };

    [Theory]
    [MemberData(nameof(MemberAbsenceDeciders))]
    public void MemberAbsenceNeedsTheHeadsApproval_G3(string personId, bool allowed)
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = ConfirmedMeeting(view, Head, chair: TestCommittee.Deputy);
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);

        if (allowed)
        {
            Assert.Equal(AbsenceDecision.Refused, meeting.DecideAbsence(Decision(absence.AbsenceId, false), TestCommittee.Person(personId), view, Local(2026, 9, 11, 9)).Decision);
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() => meeting.DecideAbsence(Decision(absence.AbsenceId, false), TestCommittee.Person(personId), view, Local(2026, 9, 11, 9)));
            Assert.Equal(AbsenceDecision.Pending, absence.Decision);
        }
    }

    [Fact]
    public void DeputyWhoIsNotTheChairCannotApproveAMembersAbsence_G3()
    {
        // A chairing delegation is not a power to approve absences from meetings the Head chairs.
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = ConfirmedMeeting(view);
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);

        var ex = Assert.Throws<PermissionDeniedException>(() => meeting.DecideAbsence(Decision(absence.AbsenceId, true), Deputy, view, Local(2026, 9, 11, 9)));

        Assert.Equal("HEAD_APPROVAL_REQUIRED", ex.Reason);
    }

    [Theory]
    [InlineData(TestCommittee.Deputy, true)] // the chair
    [InlineData(TestCommittee.Head, true)]
    [InlineData(TestCommittee.MemberKhcn, false)]
    public void InvitedAgencyAbsenceNeedsTheChairsApproval_G3(string personId, bool allowed)
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = ConfirmedMeeting(view, Head, TestCommittee.Deputy, "so-tai-chinh");
        var absence = meeting.RequestAbsence(AbsenceRequest("so-tai-chinh"), FinanceStaff, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);

        if (allowed)
        {
            Assert.Equal(personId, meeting.DecideAbsence(Decision(absence.AbsenceId, true), TestCommittee.Person(personId), view, Local(2026, 9, 11, 9)).DecidedBy.PersonId);
        }
        else
        {
            Assert.Equal("CHAIR_ONLY", Assert.Throws<PermissionDeniedException>(() =>
                meeting.DecideAbsence(Decision(absence.AbsenceId, true), TestCommittee.Person(personId), view, Local(2026, 9, 11, 9))).Reason);
        }
    }

    [Fact]
    public void SecondRequestReplacesThePendingOneAndKeepsItInHistory_G3()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);
        var first = meeting.RequestAbsence(AbsenceRequest(reason: "Lý do thứ nhất"), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);

        var second = meeting.RequestAbsence(AbsenceRequest(reason: "Lý do thứ hai"), MemberKhcn, view, Local(2026, 9, 11, 9), MeetingsSettings.Default);

        Assert.NotEqual(first.AbsenceId, second.AbsenceId);
        Assert.Equal([second.AbsenceId], meeting.State.Absences.Select(a => a.AbsenceId));
        Assert.Contains("Lý do thứ nhất", meeting.State.History.Single(h => h.Action == "ABSENCE_REQUEST_REPLACED").Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void DecidedRequestIsNotReplacedNorDecidedAgain_G3()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);
        meeting.DecideAbsence(Decision(absence.AbsenceId, false), Head, view, Local(2026, 9, 11, 9));

        var again = Assert.Throws<RuleViolationException>(() => meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 12, 9), MeetingsSettings.Default));
        var redecide = Assert.Throws<RuleViolationException>(() => meeting.DecideAbsence(Decision(absence.AbsenceId, true), Head, view, Local(2026, 9, 12, 9)));

        Assert.Equal("ABSENCE_ALREADY_DECIDED", again.Reason);
        Assert.Equal("ABSENCE_ALREADY_DECIDED", redecide.Reason);
        Assert.Equal(AbsenceDecision.Refused, absence.Decision);
    }

    [Fact]
    public void NoAbsenceRequestAfterTheMeetingWasHeld_G3()
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);

        Assert.Equal("MEETING_CLOSED", Assert.Throws<RuleViolationException>(() =>
            meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, HeldAt.AddHours(1), MeetingsSettings.Default)).Reason);
    }

    // Members of seat-giam-doc-so-khcn (KHCN) and seat-giam-doc-so-noi-vu (Nội vụ) ask at the given hour
    // (day before = 14/9, on the day = 15/9); the Head decides; then the meeting is held.
    public static TheoryData<bool, bool?, bool, AttendanceStatus> Register => new()
    {
        // present, decision (null: undecided), late request, expected status
        { true, true, false, AttendanceStatus.Present },        // excused but came anyway
        { false, true, false, AttendanceStatus.ApprovedAbsence },
        { false, false, false, AttendanceStatus.UnapprovedAbsence },
        { false, null, false, AttendanceStatus.UnapprovedAbsence },
        { false, true, true, AttendanceStatus.LateNotice },     // approved, but the opinion came late
        { false, false, true, AttendanceStatus.LateNotice },
    };

    [Theory]
    [MemberData(nameof(Register))]
    public void AttendanceRegisterClassifiesEveryInvitee_G3(bool present, bool? approve, bool late, AttendanceStatus expected)
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, late ? Local(2026, 9, 15, 7) : Local(2026, 9, 14, 20), MeetingsSettings.Default);
        if (approve is { } decision)
        {
            meeting.DecideAbsence(Decision(absence.AbsenceId, decision), Head, view, Local(2026, 9, 15, 7, 30));
        }

        meeting.RecordHeld(HeldRequest(present ? ["seat-head", "seat-giam-doc-so-khcn"] : ["seat-head"], []), StandingAgency, view, HeldAt);
        var register = meeting.AttendanceRegister();

        var line = register.Single(l => l.Invitee.SeatId == "seat-giam-doc-so-khcn");
        Assert.Equal(expected, line.Status);
        Assert.Equal(absence.AbsenceId, line.AbsenceId);
        Assert.Equal(AttendanceStatus.Present, register.Single(l => l.Invitee.SeatId == "seat-head").Status);
        Assert.Equal(AttendanceStatus.AbsentWithoutNotice, register.Single(l => l.Invitee.SeatId == "seat-giam-doc-so-noi-vu").Status);
        Assert.Equal(6, register.Count);
    }

    [Fact]
    public void BeforeTheMeetingInviteesAreExpectedUnlessExcused_G3()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view, agencies: ["so-tai-chinh"]);
        var approved = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);
        meeting.DecideAbsence(Decision(approved.AbsenceId, true), Head, view, Local(2026, 9, 10, 10));
        meeting.RequestAbsence(AbsenceRequest(), MemberNoiVu, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);
        meeting.RequestAbsence(AbsenceRequest("so-tai-chinh"), FinanceStaff, view, Local(2026, 9, 15, 1), MeetingsSettings.Default);

        var register = meeting.AttendanceRegister().ToDictionary(l => l.Invitee.SeatId.Length > 0 ? l.Invitee.SeatId : l.Invitee.AgencyId, l => l.Status);

        Assert.Equal(AttendanceStatus.ApprovedAbsence, register["seat-giam-doc-so-khcn"]);
        Assert.Equal(AttendanceStatus.Expected, register["seat-giam-doc-so-noi-vu"]); // pending: still expected
        Assert.Equal(AttendanceStatus.LateNotice, register["so-tai-chinh"]);
        Assert.Equal(AttendanceStatus.Expected, register["seat-head"]);
    }
}
