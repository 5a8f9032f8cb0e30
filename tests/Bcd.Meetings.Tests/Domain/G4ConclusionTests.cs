using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Meetings.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Bcd.ServiceDefaults.Validation;
using ProtoValidate;
using static Bcd.Meetings.Tests.Domain.MeetingScenario;

namespace Bcd.Meetings.Tests.Domain;

/// <summary>
/// G4: the chair of a held meeting issues a numbered notice; every directive is six-clear (static
/// rules in directive.proto through the request validator, data and clock rules in DirectiveRules);
/// every member and agency concerned receives it and acknowledges it.
/// </summary>
public sealed class G4ConclusionTests
{
    private static readonly RequestValidator Validator = new(new Validator(new ValidatorOptions { PreLoadDescriptors = false }));
    private static readonly DateTimeOffset IssuedAt = Local(2026, 9, 16, 10);

    [Fact]
    public void ConclusionWithADirectiveMissingItsLeadAgencyIsRefusedNamingIt_G4()
    {
        var request = Conclusion(Directive(lead: ""));

        var ex = Assert.Throws<InvalidArgumentException>(() => Validator.ValidateOrThrow(request));

        var violation = Assert.Single(ex.Violations);
        Assert.Equal("items[0].directives[0].lead_agency_id", violation.Field);
        Assert.False(string.IsNullOrEmpty(violation.DescriptionVi));
    }

    public static TheoryData<string, string> MissingClears => new()
    {
        { "work", "items[0].directives[1].work" },
        { "lead_agency_id", "items[0].directives[1].lead_agency_id" },
        { "coordinating_agency_ids", "items[0].directives[1].coordinating_agency_ids[0]" },
        { "deadline", "items[0].directives[1].deadline" },
        { "expected_result", "items[0].directives[1].expected_result" },
        { "assigning_authority", "items[0].directives[1].assigning_authority" },
        { "assigning_authority.person_id", "items[0].directives[1].assigning_authority.person_id" },
        { "assigning_authority.acting_as", "items[0].directives[1].assigning_authority.acting_as" },
    };

    [Theory]
    [MemberData(nameof(MissingClears))]
    public void EachMissingClearIsRefusedNamingTheField_G4(string missing, string field)
    {
        var broken = Directive();
        switch (missing)
        {
            case "work": broken.Work = ""; break;
            case "lead_agency_id": broken.LeadAgencyId = ""; break;
            case "coordinating_agency_ids": broken.CoordinatingAgencyIds[0] = ""; break; // named, but blank
            case "deadline": broken.Deadline = null; break;
            case "expected_result": broken.ExpectedResult = ""; break;
            case "assigning_authority": broken.AssigningAuthority = null; break;
            case "assigning_authority.person_id": broken.AssigningAuthority.PersonId = ""; break;
            default: broken.AssigningAuthority.ActingAs = ""; break;
        }

        var violations = Validator.Validate(Conclusion(Directive(), broken));

        Assert.Equal(field, Assert.Single(violations).Field);
    }

    [Fact]
    public void CompleteDirectivePassesTheStaticRules_G4()
    {
        Assert.Empty(Validator.Validate(Conclusion(Directive(), Directive(lead: "so-noi-vu", coordinating: ["so-khcn", "so-tai-chinh"]))));
    }

    [Fact]
    public void LeadAgencyCannotAlsoCoordinate_G4()
    {
        var violations = Validator.Validate(Conclusion(Directive(lead: "so-khcn", coordinating: ["so-noi-vu", "so-khcn"])));

        var violation = Assert.Single(violations);
        Assert.Equal("items[0].directives[0]", violation.Field);
        Assert.Equal("directive.lead_not_coordinating", violation.RuleId);
    }

    [Theory]
    [InlineData(2026, 9, 16, false)] // the day of assignment itself
    [InlineData(2026, 9, 15, false)]
    [InlineData(2026, 9, 17, true)]
    public void DeadlineMustBeAfterTheDayOfAssignment_G4(int year, int month, int day, bool valid)
    {
        var violations = DirectiveRules.Check(Directive(deadline: new DateOnly(year, month, day)), "items[0].directives[2]",
            ProvinceTime.DateOf(IssuedAt), TestCommittee.Build().Agencies.ContainsKey);

        if (valid)
        {
            Assert.Empty(violations);
        }
        else
        {
            Assert.Equal("items[0].directives[2].deadline", Assert.Single(violations).Field);
        }
    }

    [Fact]
    public void DeadlineMustBeACalendarDate_G4()
    {
        var directive = Directive();
        directive.Deadline = new Google.Type.Date { Year = 2027, Month = 2, Day = 30 };

        var violations = DirectiveRules.Check(directive, "", new DateOnly(2026, 9, 16), _ => true);

        Assert.Equal("deadline", Assert.Single(violations).Field);
    }

    [Fact]
    public void LeadAndCoordinatingAgenciesMustBeRegistered_G4()
    {
        var directive = Directive(lead: "so-khong-co", coordinating: ["so-noi-vu", "ubnd-xa-ao"]);

        var violations = DirectiveRules.Check(directive, "items[1].directives[0]", new DateOnly(2026, 9, 16), TestCommittee.Build().Agencies.ContainsKey);

        Assert.Equal(["items[1].directives[0].lead_agency_id", "items[1].directives[0].coordinating_agency_ids[1]"], violations.Select(v => v.Field));
    }

    [Fact]
    public void IssuingRefusesEveryDirectiveProblemAtOnce_G4()
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);
        var request = Conclusion(Directive(), Directive(lead: "so-khong-co", deadline: new DateOnly(2026, 9, 1)));
        request.AlsoNotifyAgencyIds.Add("so-khong-co-2");

        var ex = Assert.Throws<InvalidArgumentException>(() => meeting.IssueConclusion(request, Head, view, IssuedAt, "tb-1", 1));

        Assert.Equal(["items[0].directives[1].deadline", "items[0].directives[1].lead_agency_id", "also_notify_agency_ids[0]"],
            ex.Violations.Select(v => v.Field));
        Assert.Empty(meeting.State.ConclusionNoticeIds);
    }

    public static TheoryData<string, string, string, string> AuthorityMismatches => new()
    {
        { TestCommittee.Deputy, MeetingAuthority.Head, "", "items[0].directives[0].assigning_authority.person_id" },
        { TestCommittee.Head, MeetingAuthority.DeputyHead, "", "items[0].directives[0].assigning_authority.acting_as" },
        { TestCommittee.Head, MeetingAuthority.Head, "dlg-1", "items[0].directives[0].assigning_authority.delegation_id" },
    };

    [Theory]
    [MemberData(nameof(AuthorityMismatches))]
    public void AssigningAuthorityMustBeTheIssuerInTheirCapacity_G4(string personId, string actingAs, string delegationId, string field)
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);
        var authority = new AssigningAuthority { PersonId = personId, ActingAs = actingAs, DelegationId = delegationId };

        var ex = Assert.Throws<InvalidArgumentException>(() => meeting.IssueConclusion(Conclusion(Directive(authority: authority)), Head, view, IssuedAt, "tb-1", 1));

        Assert.Equal(field, Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void DelegateChairIssuesUnderTheDelegation_G4()
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = HeldMeeting(view, Head, TestCommittee.Deputy);
        var authority = new AssigningAuthority { PersonId = TestCommittee.Deputy, ActingAs = MeetingAuthority.DeputyHead, DelegationId = "dlg-1" };

        var notice = meeting.IssueConclusion(Conclusion(Directive(authority: authority)), Deputy, view, IssuedAt, "tb-1", 1);

        Assert.Equal(("dlg-1", MeetingAuthority.DeputyHead), (notice.IssuedBy.DelegationId, notice.IssuedBy.ActingAs));
    }

    [Theory]
    [InlineData(TestCommittee.MemberKhcn)]
    [InlineData(TestCommittee.StandingAgencyStaff)]
    [InlineData(TestCommittee.StandingDeputy)]
    public void OnlyTheChairIssuesConclusions_G4(string personId)
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);

        Assert.Throws<PermissionDeniedException>(() => meeting.IssueConclusion(Conclusion(), TestCommittee.Person(personId), view, IssuedAt, "tb-1", 1));
    }

    [Fact]
    public void DelegateChairCannotIssueOnceTheDelegationHasEnded_G4()
    {
        var view = WithDeputyDelegation(DelegationScope.ChairMeetings);
        var meeting = HeldMeeting(view, Head, TestCommittee.Deputy);
        var authority = new AssigningAuthority { PersonId = TestCommittee.Deputy, ActingAs = MeetingAuthority.DeputyHead, DelegationId = "dlg-1" };

        Assert.Throws<PermissionDeniedException>(() =>
            meeting.IssueConclusion(Conclusion(Directive(authority: authority)), Deputy, view, Local(2026, 10, 1, 0), "tb-1", 1));
    }

    [Fact]
    public void ConclusionsAreIssuedOnlyForAHeldMeeting_G4()
    {
        var view = TestCommittee.Build();
        var meeting = ConfirmedMeeting(view);

        var ex = Assert.Throws<RuleViolationException>(() => meeting.IssueConclusion(Conclusion(), Head, view, IssuedAt, "tb-1", 1));

        Assert.Equal(("G4", "MEETING_NOT_HELD"), (ex.Rule, ex.Reason));
    }

    [Theory]
    [InlineData(1, 2026, 9, 16, 10, "1/TB-BCĐ", 2026)]
    [InlineData(12, 2026, 12, 31, 23, "12/TB-BCĐ", 2026)]
    public void NoticeIsNumberedInTheCommitteesYear_G4(int sequence, int year, int month, int day, int hour, string number, int numberingYear)
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);

        var notice = meeting.IssueConclusion(Conclusion(Directive(deadline: new DateOnly(2027, 3, 31))), Head, view, Local(year, month, day, hour), "tb-x", sequence);

        Assert.Equal((number, numberingYear, sequence), (notice.Number, notice.Year, notice.Sequence));
        Assert.Equal(["tb-x"], meeting.State.ConclusionNoticeIds);
    }

    [Fact]
    public void NumberingYearIsTheProvincesYear_G4()
    {
        // 31/12/2026 17:30 UTC is already 1/1/2027 in Hà Nội: the first notice of 2027.
        Assert.Equal(2027, ConclusionNotices.YearOf(new DateTimeOffset(2026, 12, 31, 17, 30, 0, TimeSpan.Zero)));
        Assert.Equal(2026, ConclusionNotices.YearOf(new DateTimeOffset(2026, 12, 31, 16, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void NoticeGoesToEveryMemberAndEveryAgencyConcerned_G4()
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);
        var request = Conclusion(Directive(lead: "so-khcn", coordinating: ["so-noi-vu"]), Directive(lead: "so-noi-vu", coordinating: ["so-tai-chinh", "so-khcn"]));
        request.AlsoNotifyAgencyIds.Add(TestCommittee.StandingAgencyId);

        var notice = meeting.IssueConclusion(request, Head, view, IssuedAt, "tb-1", 1);

        Assert.Equal([TestCommittee.Head, TestCommittee.StandingDeputy, TestCommittee.Deputy, TestCommittee.MemberKhcn, TestCommittee.MemberNoiVu],
            notice.Recipients.Where(r => r.PersonId.Length > 0).Select(r => r.PersonId)); // the vacant seat receives nothing
        Assert.Equal(["so-khcn", "so-noi-vu", "so-tai-chinh", TestCommittee.StandingAgencyId],
            notice.Recipients.Where(r => r.PersonId.Length == 0).Select(r => r.AgencyId));
        Assert.All(notice.Recipients, r => Assert.Equal(IssuedAt, r.DeliveredAt.ToDateTimeOffset()));
        Assert.All(notice.Recipients, r => Assert.Null(r.AcknowledgedAt));
        Assert.Equal(2, notice.Items[0].Directives.Count);
    }

    [Fact]
    public void RecipientAcknowledgesOnceAndOnlyForThemself_G4()
    {
        var notice = IssuedNotice();
        var aggregate = new ConclusionNoticeAggregate(notice);

        var first = aggregate.Acknowledge(MemberNoiVu, IssuedAt.AddHours(2));
        var again = aggregate.Acknowledge(MemberNoiVu, IssuedAt.AddHours(5));

        var mine = Assert.Single(first);
        Assert.Equal(TestCommittee.MemberNoiVu, mine.PersonId);
        Assert.Equal(TestCommittee.MemberNoiVu, mine.AcknowledgedBy.PersonId);
        Assert.Empty(again);
        Assert.Equal(IssuedAt.AddHours(2), mine.AcknowledgedAt.ToDateTimeOffset());
        Assert.Single(notice.Recipients, r => r.AcknowledgedAt is not null);
    }

    [Fact]
    public void StaffOfAnAgencyConcernedAcknowledgeForTheAgency_G4()
    {
        var notice = IssuedNotice();

        var acknowledged = new ConclusionNoticeAggregate(notice).Acknowledge(FinanceStaff, IssuedAt.AddDays(1));

        Assert.Equal(("so-tai-chinh", ""), (Assert.Single(acknowledged).AgencyId, acknowledged[0].PersonId));
        Assert.Equal(MeetingAuthority.AgencyRepresentative, acknowledged[0].AcknowledgedBy.ActingAs);
    }

    [Fact]
    public void MemberWhoseAgencyIsConcernedAcknowledgesForBoth_G4()
    {
        // Giám đốc Sở KH&CN receives the notice as a member and, for the lead agency, as its head.
        var notice = IssuedNotice();

        var acknowledged = new ConclusionNoticeAggregate(notice).Acknowledge(MemberKhcn, IssuedAt.AddHours(1));

        Assert.Equal([(TestCommittee.MemberKhcn, ""), ("", "so-khcn")], acknowledged.Select(r => (r.PersonId, r.AgencyId)));
    }

    [Fact]
    public void SomeoneWhoReceivedNothingCannotAcknowledge_G4()
    {
        var ex = Assert.Throws<PermissionDeniedException>(() =>
            new ConclusionNoticeAggregate(IssuedNotice()).Acknowledge(TestCommittee.Person("nguoi-ngoai", "so-xay-dung"), IssuedAt));

        Assert.Equal(("G4", "NOT_A_RECIPIENT"), (ex.Rule, ex.Reason));
    }

    [Theory]
    [InlineData(6, 0, false)]  // the committee's setting: 7 days
    [InlineData(7, 0, true)]
    [InlineData(3, 3, true)]   // the request asks for 3
    [InlineData(2, 3, false)]
    public void UnacknowledgedNoticesAreListedAfterTheConfiguredDays_G4(int daysLater, int olderThanDays, bool listed)
    {
        var notice = IssuedNotice();
        new ConclusionNoticeAggregate(notice).Acknowledge(MemberNoiVu, IssuedAt.AddHours(1));

        var list = ConclusionNotices.Unacknowledged([notice], IssuedAt.AddDays(daysLater), olderThanDays, new MeetingsSettings { UnacknowledgedAfterDays = 7 });

        if (listed)
        {
            var entry = Assert.Single(list);
            Assert.Equal(notice.Recipients.Count - 1, entry.Pending.Count);
            Assert.DoesNotContain(entry.Pending, r => r.PersonId == TestCommittee.MemberNoiVu);
        }
        else
        {
            Assert.Empty(list);
        }
    }

    [Fact]
    public void FullyAcknowledgedNoticeIsNotListed_G4()
    {
        var notice = IssuedNotice();
        foreach (var recipient in notice.Recipients)
        {
            recipient.AcknowledgedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(IssuedAt);
        }

        Assert.Empty(ConclusionNotices.Unacknowledged([notice], IssuedAt.AddDays(30), 0, MeetingsSettings.Default));
    }

    private static ConclusionNotice IssuedNotice()
    {
        var view = TestCommittee.Build();
        var meeting = HeldMeeting(view);
        return meeting.IssueConclusion(Conclusion(Directive(lead: "so-khcn", coordinating: ["so-tai-chinh"])), Head, view, IssuedAt, "tb-1", 1);
    }
}
