using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Meetings.Domain;
using Bcd.ServiceDefaults.Errors;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>X1: every change to a meeting records who, in which capacity or delegation, when and on which request; refusals record nothing.</summary>
public sealed class X1MeetingHistoryTests
{
    [Fact]
    public void EveryChangeAppendsAHistoryEntryWithTheActorsCapacity_X1()
    {
        var view = WithDeputyDelegation(DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings);
        var meeting = Convened(view, Deputy);
        FileReport(meeting, view, Local(2026, 9, 3, 9));
        Confirm(meeting, view, Deputy, Local(2026, 9, 4, 9));
        var absence = meeting.RequestAbsence(AbsenceRequest(), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default);
        meeting.DecideAbsence(Decision(absence.AbsenceId, true), Head, view, Local(2026, 9, 11, 9));
        meeting.RecordHeld(HeldRequest(["seat-head"], []), StandingAgency, view, HeldAt);
        var authority = new Bcd.Contracts.Common.V1.AssigningAuthority { PersonId = TestCommittee.Deputy, ActingAs = MeetingAuthority.DeputyHead, DelegationId = "dlg-1" };
        meeting.IssueConclusion(Conclusion(Directive(authority: authority)), Deputy, view, Local(2026, 9, 16, 9), "tb-1", 1);

        var history = meeting.State.History;
        Assert.Equal(
            [
                ("MEETING_CONVENED", TestCommittee.Deputy, MeetingAuthority.DeputyHead, "dlg-1", "req-convene-1"),
                ("PROPOSAL_REPORT_FILED", TestCommittee.StandingAgencyStaff, MeetingAuthority.StandingAgency, "", "req-proposal-1"),
                ("MEETING_CONFIRMED", TestCommittee.Deputy, MeetingAuthority.DeputyHead, "dlg-1", "req-confirm-1"),
                ("ABSENCE_REQUESTED", TestCommittee.MemberKhcn, MeetingAuthority.Member, "", "req-absence-1"),
                ("ABSENCE_APPROVED", TestCommittee.Head, MeetingAuthority.Head, "", "req-decide-1"),
                ("MEETING_HELD", TestCommittee.StandingAgencyStaff, MeetingAuthority.StandingAgency, "", "req-held-1"),
                ("CONCLUSION_ISSUED", TestCommittee.Deputy, MeetingAuthority.DeputyHead, "dlg-1", "req-conclusion-1"),
            ],
            history.Select(h => (h.Action, h.Actor.PersonId, h.Actor.ActingAs, h.Actor.DelegationId, h.RequestId)));
        Assert.Equal(
            [ConvenedAt, Local(2026, 9, 3, 9), Local(2026, 9, 4, 9), Local(2026, 9, 10, 9), Local(2026, 9, 11, 9), HeldAt, Local(2026, 9, 16, 9)],
            history.Select(h => h.Time.ToDateTimeOffset()));
        Assert.All(history, h => Assert.False(string.IsNullOrWhiteSpace(h.Summary)));
    }

    [Fact]
    public void RefusedActionLeavesNoTrace_X1()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);
        var before = meeting.State.Clone();

        Assert.Throws<RuleViolationException>(() => Confirm(meeting, view));
        Assert.Throws<PermissionDeniedException>(() => meeting.Cancel(new CancelMeetingRequest { RequestId = "req-cancel-1", Reason = "x" }, MemberKhcn, view, ConvenedAt));
        Assert.Throws<InvalidArgumentException>(() =>
            meeting.RequestAbsence(AbsenceRequest(opinion: ""), MemberKhcn, view, Local(2026, 9, 10, 9), MeetingsSettings.Default));

        Assert.Equal(before, meeting.State);
    }

    [Fact]
    public void CancellingRecordsTheReasonAndWhoCancelled_X1()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        meeting.Cancel(new CancelMeetingRequest { RequestId = "req-cancel-1", Reason = "Trùng lịch làm việc với Bộ" }, Head, view, ConvenedAt.AddDays(1));

        var entry = meeting.State.History[^1];
        Assert.Equal(("MEETING_CANCELLED", TestCommittee.Head, "req-cancel-1"), (entry.Action, entry.Actor.PersonId, entry.RequestId));
        Assert.Contains("Trùng lịch làm việc với Bộ", entry.Summary, StringComparison.Ordinal);
        Assert.Equal(MeetingStatus.Cancelled, meeting.State.Status);
    }
}
