using Bcd.Contracts.Meetings.V1;
using Bcd.Meetings.Domain;
using Bcd.ServiceDefaults.Errors;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>G2: the Standing Agency files the proposal report; no confirmation and no holding without it.</summary>
public sealed class G2ProposalReportTests
{
    [Fact]
    public void ConfirmingWithoutTheProposalReportIsRefused_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        var ex = Assert.Throws<RuleViolationException>(() => Confirm(meeting, view));

        Assert.Equal(("G2", "PROPOSAL_REPORT_MISSING"), (ex.Rule, ex.Reason));
        Assert.Equal(MeetingStatus.Convened, meeting.State.Status);
    }

    [Fact]
    public void ConfirmingWithTheProposalReportMakesTheMeetingReady_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        FileReport(meeting, view);

        Confirm(meeting, view);

        Assert.Equal(MeetingStatus.Confirmed, meeting.State.Status);
    }

    [Theory]
    [InlineData(TestCommittee.Head, "ubnd-tinh")]
    [InlineData(TestCommittee.MemberKhcn, "so-khcn")]
    [InlineData(TestCommittee.StandingDeputy, null)] // the Standing Deputy Head directs the agency but is not its staff here
    public void OnlyTheStandingAgencyFilesTheProposalReport_G2(string personId, string? agencyId)
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        var request = new FileProposalReportRequest { RequestId = "req-proposal-1", MeetingId = "mtg-1", Report = Report() };

        var ex = Assert.Throws<PermissionDeniedException>(() => meeting.FileProposalReport(request, TestCommittee.Person(personId, agencyId), view, ConvenedAt));

        Assert.Equal(("G2", "STANDING_AGENCY_ONLY"), (ex.Rule, ex.Reason));
        Assert.Null(meeting.State.Proposal);
    }

    [Fact]
    public void FiledReportRecordsWhoFiledItAndWhen_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        FileReport(meeting, view, Local(2026, 9, 3, 14));

        Assert.Equal(TestCommittee.StandingAgencyStaff, meeting.State.Proposal.FiledBy.PersonId);
        Assert.Equal(MeetingAuthority.StandingAgency, meeting.State.Proposal.FiledBy.ActingAs);
        Assert.Equal(Local(2026, 9, 3, 14), meeting.State.Proposal.FiledAt.ToDateTimeOffset());
    }

    [Fact]
    public void ReplacingTheReportKeepsTheOldOneInHistory_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        FileReport(meeting, view, objectives: "Bản đầu tiên");

        FileReport(meeting, view, objectives: "Bản sửa đổi");

        Assert.Equal("Bản sửa đổi", meeting.State.Proposal.Objectives);
        var replaced = meeting.State.History.Single(h => h.Action == "PROPOSAL_REPORT_REPLACED");
        Assert.Contains("Bản đầu tiên", replaced.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("objectives")]
    [InlineData("participants")]
    [InlineData("task_progress")]
    public void ReportMustStateObjectivesParticipantsAndProgress_G2(string field)
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        var report = Report();
        switch (field)
        {
            case "objectives": report.Objectives = " "; break;
            case "participants": report.Participants = ""; break;
            default: report.TaskProgress = ""; break;
        }

        var ex = Assert.Throws<InvalidArgumentException>(() => meeting.FileProposalReport(
            new FileProposalReportRequest { RequestId = "req-proposal-1", MeetingId = "mtg-1", Report = report }, StandingAgency, view, ConvenedAt));

        Assert.Equal("report." + field, Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void MeetingCannotBeHeldWithoutTheProposalReport_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        var ex = Assert.Throws<RuleViolationException>(() => meeting.RecordHeld(HeldRequest([], []), Head, view, HeldAt));

        Assert.Equal(("G2", "PROPOSAL_REPORT_MISSING"), (ex.Rule, ex.Reason));
        Assert.Equal(MeetingStatus.Convened, meeting.State.Status);
    }

    [Fact]
    public void MeetingWithAReportButNotConfirmedCannotBeHeld_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        FileReport(meeting, view);

        Assert.Equal("MEETING_NOT_CONFIRMED", Assert.Throws<RuleViolationException>(() => meeting.RecordHeld(HeldRequest([], []), Head, view, HeldAt)).Reason);
    }

    [Fact]
    public void MeetingIsRecordedHeldOnlyOnceItHasStarted_G2()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var ex = Assert.Throws<RuleViolationException>(() => meeting.RecordHeld(HeldRequest([], []), Head, view, StartsAt.AddSeconds(-1)));
        meeting.RecordHeld(HeldRequest(["seat-head", "seat-giam-doc-so-khcn"], []), Head, view, StartsAt);

        Assert.Equal("MEETING_NOT_STARTED", ex.Reason);
        Assert.Equal(MeetingStatus.Held, meeting.State.Status);
        Assert.Equal(["seat-head", "seat-giam-doc-so-khcn"], meeting.State.PresentSeatIds);
    }

    [Fact]
    public void PresentSeatsAndAgenciesMustHaveBeenInvited_G2()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var ex = Assert.Throws<InvalidArgumentException>(() => meeting.RecordHeld(HeldRequest(["seat-head", "seat-x"], ["so-tai-chinh"]), Head, view, HeldAt));

        Assert.Equal(["present_seat_ids[1]", "present_agency_ids[0]"], ex.Violations.Select(v => v.Field));
    }

    [Fact]
    public void CancelledMeetingCannotBeConfirmed_G2()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        FileReport(meeting, view);
        meeting.Cancel(new CancelMeetingRequest { RequestId = "req-cancel-1", Reason = "Trùng lịch công tác" }, Head, view, ConvenedAt.AddDays(1));

        Assert.Equal("MEETING_CLOSED", Assert.Throws<RuleViolationException>(() => Confirm(meeting, view)).Reason);
        Assert.Equal("Trùng lịch công tác", meeting.State.CancelReason);
    }
}
