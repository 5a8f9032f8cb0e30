using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Meetings.Domain;
using Bcd.ServiceDefaults.Errors;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>G1: the Head convenes and chairs; a Deputy Head only under an active delegation; the chair decides who attends.</summary>
public sealed class G1ConveningTests
{
    [Fact]
    public void HeadConvenesInPersonAndChairs_G1()
    {
        var meeting = Convened(TestCommittee.Build());

        Assert.Equal(MeetingStatus.Convened, meeting.State.Status);
        Assert.Equal(TestCommittee.Head, meeting.State.ChairPersonId);
        Assert.Empty(meeting.State.ChairDelegationId);
        Assert.Equal(MeetingAuthority.Head, meeting.State.ConvenedBy.ActingAs);
        Assert.Empty(meeting.State.ConvenedBy.DelegationId);
    }

    [Fact]
    public void DeputyHeadWithoutDelegationCannotConvene_G1()
    {
        var ex = Assert.Throws<PermissionDeniedException>(() => Convened(TestCommittee.Build(), Deputy));

        Assert.Equal("G1", ex.Rule);
        Assert.Equal("NOT_HOLDER_OR_DELEGATE", ex.Reason);
    }

    [Fact]
    public void DeputyHeadWithConveneAndChairDelegationConvenesAndChairs_G1()
    {
        var meeting = Convened(WithDeputyDelegation(DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings), Deputy);

        Assert.Equal(TestCommittee.Deputy, meeting.State.ChairPersonId);
        Assert.Equal("dlg-1", meeting.State.ChairDelegationId);
        Assert.Equal(MeetingAuthority.DeputyHead, meeting.State.ConvenedBy.ActingAs);
        Assert.Equal("dlg-1", meeting.State.ConvenedBy.DelegationId);
    }

    [Theory]
    [InlineData(DelegationScope.ChairMeetings)]
    [InlineData(DelegationScope.SignDocuments)]
    [InlineData(DelegationScope.WorkWithAgencies)]
    public void DelegationWithoutConveneScopeDoesNotAllowConvening_G1(DelegationScope scope)
    {
        Assert.Throws<PermissionDeniedException>(() => Convened(WithDeputyDelegation(scope), Deputy));
    }

    // The window 1/9 00:00 – 1/10 00:00 (province time): open at its start, closed at its end.
    public static TheoryData<DateTimeOffset, bool> DelegationWindow => new()
    {
        { Local(2026, 8, 31, 23, 59, 59), false },
        { Local(2026, 9, 1, 0), true },
        { Local(2026, 9, 14, 12), true },
        { Local(2026, 9, 30, 23, 59, 59), true },
        { Local(2026, 10, 1, 0), false },
    };

    [Theory]
    [MemberData(nameof(DelegationWindow))]
    public void DelegationWindowIsHonouredAtTheTimeOfConvening_G1(DateTimeOffset at, bool allowed)
    {
        var view = WithDeputyDelegation(DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings);
        var request = ConveneRequest(startsAt: Local(2026, 10, 20, 8));

        if (allowed)
        {
            Assert.Equal("dlg-1", MeetingAggregate.Convene("mtg-1", request, Deputy, view, at).State.ConvenedBy.DelegationId);
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() => MeetingAggregate.Convene("mtg-1", request, Deputy, view, at));
        }
    }

    [Theory]
    [InlineData(-1, true)] // revoked an hour after the act: the act stands
    [InlineData(0, false)] // from the moment of revocation
    [InlineData(24, false)]
    public void RevokedDelegationCannotConvene_G1(int hoursSinceRevocation, bool allowed)
    {
        var at = Local(2026, 9, 5, 10);
        var revoked = DeputyDelegation(DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings) with { RevokedAt = at.AddHours(-hoursSinceRevocation) };
        var view = TestCommittee.Build(revoked);

        if (allowed)
        {
            Assert.NotNull(MeetingAggregate.Convene("mtg-1", ConveneRequest(), Deputy, view, at));
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() => MeetingAggregate.Convene("mtg-1", ConveneRequest(), Deputy, view, at));
        }
    }

    [Fact]
    public void DelegationToAPersonWhoHoldsNoDeputySeatDoesNotAuthorise_G1()
    {
        // M3 lets the Head authorise only a Deputy Head; a delegation record naming a member counts for nothing.
        var toMember = DeputyDelegation(DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings) with
        {
            DelegatePersonId = TestCommittee.MemberKhcn,
            DelegateSeatId = "seat-giam-doc-so-khcn",
        };

        Assert.Throws<PermissionDeniedException>(() => Convened(TestCommittee.Build(toMember), MemberKhcn));
    }

    [Fact]
    public void DeputyConvenerWithoutChairDelegationMustNameTheHeadAsChair_G1()
    {
        var view = WithDeputyDelegation(DelegationScope.ConveneMeetings);

        var ex = Assert.Throws<RuleViolationException>(() => Convened(view, Deputy));
        var meeting = Convened(view, Deputy, chair: TestCommittee.Head);

        Assert.Equal(("G1", "CHAIR_NOT_AUTHORISED"), (ex.Rule, ex.Reason));
        Assert.Equal(TestCommittee.Head, meeting.State.ChairPersonId);
        Assert.Empty(meeting.State.ChairDelegationId);
    }

    [Theory]
    [InlineData(TestCommittee.MemberKhcn, false)]
    [InlineData(TestCommittee.StandingDeputy, false)] // acts for the Head only under a delegation
    [InlineData(TestCommittee.Deputy, true)]          // holds a chairing delegation
    public void TheHeadNamesAsChairOnlySomeoneEntitledToChair_G1(string chair, bool allowed)
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);

        if (allowed)
        {
            Assert.Equal("dlg-1", Convened(view, Head, chair).State.ChairDelegationId);
        }
        else
        {
            Assert.Equal("CHAIR_NOT_AUTHORISED", Assert.Throws<RuleViolationException>(() => Convened(view, Head, chair)).Reason);
        }
    }

    [Theory]
    [InlineData(TestCommittee.MemberKhcn)]
    [InlineData(TestCommittee.StandingAgencyStaff)]
    public void NoOneElseConvenes_G1(string personId)
    {
        Assert.Throws<PermissionDeniedException>(() => Convened(TestCommittee.Build(), TestCommittee.Person(personId)));
    }

    public static TheoryData<MeetingKind, string[]> DefaultInvitees => new()
    {
        { MeetingKind.QuarterlyPeriodic, ["seat-head", "seat-standing-deputy", "seat-deputy", "seat-giam-doc-so-khcn", "seat-giam-doc-so-noi-vu", "seat-giam-doc-so-tai-chinh"] },
        { MeetingKind.AdHoc, ["seat-head", "seat-standing-deputy", "seat-deputy", "seat-giam-doc-so-khcn", "seat-giam-doc-so-noi-vu", "seat-giam-doc-so-tai-chinh"] },
        { MeetingKind.YearEndReview, ["seat-head", "seat-standing-deputy", "seat-deputy", "seat-giam-doc-so-khcn", "seat-giam-doc-so-noi-vu", "seat-giam-doc-so-tai-chinh"] },
        { MeetingKind.StandingBoard, ["seat-head", "seat-standing-deputy", "seat-deputy"] },
        { MeetingKind.WorkingGroup, ["seat-giam-doc-so-khcn", "seat-giam-doc-so-noi-vu"] },
        { MeetingKind.Conference, [] },
    };

    [Theory]
    [MemberData(nameof(DefaultInvitees))]
    public void MembersAreInvitedByDefaultAccordingToTheKind_G1(MeetingKind kind, string[] seats)
    {
        var request = ConveneRequest(kind, groupId: kind == MeetingKind.WorkingGroup ? TestCommittee.WorkingGroupId : "");

        var meeting = MeetingAggregate.Convene("mtg-1", request, Head, TestCommittee.Build(), ConvenedAt);

        Assert.Equal(seats, meeting.State.Invitees.Select(i => i.SeatId));
        Assert.All(meeting.State.Invitees, i => Assert.Equal(InviteeKind.Member, i.Kind));
    }

    [Fact]
    public void VacantSeatIsInvitedAsASeatWithoutHolder_G1()
    {
        var meeting = Convened(TestCommittee.Build());

        var vacant = meeting.State.Invitees.Single(i => i.SeatId == "seat-giam-doc-so-tai-chinh");
        Assert.Empty(vacant.PersonId);
        Assert.Equal(TestCommittee.MemberKhcn, meeting.State.Invitees.Single(i => i.SeatId == "seat-giam-doc-so-khcn").PersonId);
    }

    [Fact]
    public void InvitedAgenciesMustBeRegistered_G1()
    {
        var ex = Assert.Throws<InvalidArgumentException>(() => Convened(TestCommittee.Build(), agencies: ["so-tai-chinh", "so-khong-co"]));

        Assert.Equal("invited_agency_ids[1]", Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void InvitedAgencyBecomesAnInvitee_G1()
    {
        var meeting = Convened(TestCommittee.Build(), agencies: ["so-tai-chinh"]);

        var agency = meeting.State.Invitees.Single(i => i.Kind == InviteeKind.InvitedAgency);
        Assert.Equal(("so-tai-chinh", "Sở Tài chính"), (agency.AgencyId, agency.DisplayName));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void MeetingIsConvenedForTheFuture_G1(int minutesFromNow)
    {
        var request = ConveneRequest(startsAt: ConvenedAt.AddMinutes(minutesFromNow));

        var ex = Assert.Throws<InvalidArgumentException>(() => MeetingAggregate.Convene("mtg-1", request, Head, TestCommittee.Build(), ConvenedAt));

        Assert.Equal("starts_at", Assert.Single(ex.Violations).Field);
    }

    [Theory]
    [InlineData(TestCommittee.MemberKhcn, true, MeetingAuthority.GroupLeader)] // the group's leader
    [InlineData(TestCommittee.Head, true, MeetingAuthority.Head)]
    [InlineData(TestCommittee.MemberNoiVu, false, "")]                        // a member of the group, not its leader
    public void WorkingGroupMeetingIsConvenedByItsLeaderOrTheHead_G1(string personId, bool allowed, string actingAs)
    {
        var request = ConveneRequest(MeetingKind.WorkingGroup, groupId: TestCommittee.WorkingGroupId);
        var caller = TestCommittee.Person(personId);

        if (allowed)
        {
            var meeting = MeetingAggregate.Convene("mtg-1", request, caller, TestCommittee.Build(), ConvenedAt);
            Assert.Equal(actingAs, meeting.State.ConvenedBy.ActingAs);
            Assert.Equal(personId, meeting.State.ChairPersonId);
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() => MeetingAggregate.Convene("mtg-1", request, caller, TestCommittee.Build(), ConvenedAt));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("wg-khong-co")]
    public void WorkingGroupMeetingNamesAKnownGroup_G1(string groupId)
    {
        var request = ConveneRequest(MeetingKind.WorkingGroup, groupId: groupId);

        var ex = Assert.Throws<InvalidArgumentException>(() => MeetingAggregate.Convene("mtg-1", request, Head, TestCommittee.Build(), ConvenedAt));

        Assert.Equal("working_group_id", Assert.Single(ex.Violations).Field);
    }

    public static TheoryData<string, bool> InviteeSetters => new()
    {
        { TestCommittee.Head, true },
        { TestCommittee.Deputy, true },        // the chair, under an active chairing delegation
        { TestCommittee.StandingDeputy, false },
        { TestCommittee.MemberKhcn, false },
        { TestCommittee.StandingAgencyStaff, false },
    };

    [Theory]
    [MemberData(nameof(InviteeSetters))]
    public void TheChairOrTheHeadDecidesWhoAttends_G1(string personId, bool allowed)
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = Convened(view, Head, chair: TestCommittee.Deputy);
        var request = InviteesRequest(Member("seat-giam-doc-so-khcn"), Agency("so-tai-chinh"));

        if (allowed)
        {
            meeting.SetInvitees(request, TestCommittee.Person(personId), view, ConvenedAt.AddDays(1));
            Assert.Equal(2, meeting.State.Invitees.Count);
        }
        else
        {
            var ex = Assert.Throws<PermissionDeniedException>(() => meeting.SetInvitees(request, TestCommittee.Person(personId), view, ConvenedAt.AddDays(1)));
            Assert.Equal("CHAIR_ONLY", ex.Reason);
            Assert.Equal(6, meeting.State.Invitees.Count);
        }
    }

    [Fact]
    public void DelegateChairLosesThePowerWhenTheDelegationEnds_G1()
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = Convened(view, Head, chair: TestCommittee.Deputy);

        Assert.Throws<PermissionDeniedException>(() =>
            meeting.SetInvitees(InviteesRequest(Member("seat-head")), Deputy, view, Local(2026, 10, 1, 0)));
    }

    [Fact]
    public void InviteesReplaceTheListWithHoldersOfTheMeetingDay_G1()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        meeting.SetInvitees(InviteesRequest(Member("seat-giam-doc-so-khcn"), Agency("so-tai-chinh", "Đại diện Sở Tài chính")), Head, view, ConvenedAt.AddDays(1));

        Assert.Collection(meeting.State.Invitees,
            i => Assert.Equal((InviteeKind.Member, "seat-giam-doc-so-khcn", TestCommittee.MemberKhcn), (i.Kind, i.SeatId, i.PersonId)),
            i => Assert.Equal((InviteeKind.InvitedAgency, "so-tai-chinh", "Đại diện Sở Tài chính"), (i.Kind, i.AgencyId, i.DisplayName)));
    }

    [Fact]
    public void InviteesMustNameSeatsAndRegisteredAgencies_G1()
    {
        var view = TestCommittee.Build();
        var meeting = Convened(view);

        var ex = Assert.Throws<InvalidArgumentException>(() => meeting.SetInvitees(
            InviteesRequest(Member("seat-khong-co"), Agency("so-khong-co"), Member("seat-head"), Member("seat-head")), Head, view, ConvenedAt.AddDays(1)));

        Assert.Equal(["invitees[0].seat_id", "invitees[1].agency_id", "invitees[3]"], ex.Violations.Select(v => v.Field));
        Assert.Equal(6, meeting.State.Invitees.Count);
    }

    private static Invitee Member(string seatId) => new() { Kind = InviteeKind.Member, SeatId = seatId };

    private static Invitee Agency(string agencyId, string name = "") => new() { Kind = InviteeKind.InvitedAgency, AgencyId = agencyId, DisplayName = name };

    private static SetInviteesRequest InviteesRequest(params Invitee[] invitees)
    {
        var request = new SetInviteesRequest { RequestId = "req-invitees-1", CommitteeId = TestCommittee.CommitteeId, MeetingId = "mtg-1" };
        request.Invitees.AddRange(invitees);
        return request;
    }
}
