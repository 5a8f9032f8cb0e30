using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M2: membership changes are proposed by the Standing Agency and approved by the Head.</summary>
public sealed class M2ProposeApproveTests
{
    [Theory]
    [InlineData("bac-ninh", "so-khcn")]        // staff of another member agency
    [InlineData("bac-ninh", "ubnd-tinh")]      // even the Provincial People's Committee's staff
    [InlineData("lang-son", "cong-an-tinh")]   // Công an tỉnh of another province's committee
    [InlineData("bac-ninh", null)]             // no agency asserted
    [InlineData(null, "cong-an-tinh")]         // no committee asserted
    public void M2_ProposalBySomeoneOutsideStandingAgencyIsRefused(string? committeeId, string? agencyId)
    {
        var committee = new Committee();
        var caller = new Caller("can-bo-x", "Cán bộ X", committeeId, agencyId, "Bắc Ninh", new HashSet<string>());

        var ex = Assert.Throws<PermissionDeniedException>(() => committee.Aggregate.RequireStandingAgency(caller, "M2"));

        Assert.Equal("STANDING_AGENCY_ONLY", ex.Reason);
        Assert.Equal("M2", ex.Rule);
    }

    [Fact]
    public void M2_StandingAgencyStaffProposeInTheStandingAgencysName()
    {
        var committee = new Committee();

        var capacity = committee.Aggregate.RequireStandingAgency(StandingAgencyStaff, "M2");

        Assert.Equal(CommitteeAggregate.StandingAgencyRole, capacity.ActingAs);
        Assert.Equal("can-bo-ca", capacity.PersonId);
        Assert.Null(capacity.DelegationId);
    }

    [Theory]
    [InlineData(BacNinhSeed.HeadPersonId, true)]
    [InlineData("can-bo-ca", false)]     // the Standing Agency proposes but does not approve
    [InlineData("le-van-b", false)]      // the Standing Deputy Head without a delegation
    [InlineData("do-van-khoa", false)]   // a member
    public void M2_OnlyTheHeadApprovesInPerson(string personId, bool allowed)
    {
        var committee = new Committee();
        committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 1));
        var caller = Person(personId);

        if (allowed)
        {
            var capacity = committee.Aggregate.RequireHeadOrDelegate(caller, DelegationScope.SignDocuments, Now, "M2");
            Assert.Equal(CommitteeAggregate.HeadRole, capacity.ActingAs);
            Assert.Null(capacity.DelegationId);
        }
        else
        {
            var ex = Assert.Throws<PermissionDeniedException>(() =>
                committee.Aggregate.RequireHeadOrDelegate(caller, DelegationScope.SignDocuments, Now, "M2"));
            Assert.Equal("M2", ex.Rule);
        }
    }

    [Fact]
    public void M2_TheHeadIsWhoeverHoldsTheHeadSeatOnTheDay()
    {
        var committee = new Committee();
        committee.Replace("seat-head", "nguyen-van-a", D(2026, 7, 10), "1600/QĐ-UBND");

        // The former Head no longer approves; the new one does.
        Assert.Throws<PermissionDeniedException>(() =>
            committee.Aggregate.RequireHeadOrDelegate(Head, DelegationScope.SignDocuments, Now, "M2"));
        Assert.Equal("nguyen-van-a",
            committee.Aggregate.RequireHeadOrDelegate(Person("nguyen-van-a"), DelegationScope.SignDocuments, Now, "M2").PersonId);
        var denied = Assert.Throws<PermissionDeniedException>(() => committee.Aggregate.RequireHead(Head, committee.Today, "M3"));
        Assert.Equal("HEAD_ONLY", denied.Reason);
    }

    [Fact]
    public void M2_ApprovalRevalidatesAgainstTheStateAtApproval()
    {
        // Two proposals for the single Standing Deputy Head seat pass while both are pending;
        // once the first is approved, the second can no longer apply.
        var committee = new Committee();
        var first = new MembershipChange
        {
            Kind = ChangeKind.Appoint,
            NewSeat = new NewSeat { Title = "Giám đốc Công an tỉnh", Role = Role.StandingDeputyHead, AgencyId = BacNinhSeed.StandingAgencyId },
            Person = new Person { PersonId = "le-van-b", FullName = "Lê Văn B" },
            EffectiveDate = D(2026, 7, 1).ToProtoDate(),
        };
        var second = first.Clone();
        second.Person = new Person { PersonId = "tran-van-c", FullName = "Trần Văn C" };
        committee.Aggregate.ValidateChange(first, committee.Agencies);
        committee.Aggregate.ValidateChange(second, committee.Agencies);

        committee.Aggregate.ApplyChange(first, Decision("1500/QĐ-BCĐ", D(2026, 6, 30)));

        var ex = Assert.Throws<RuleViolationException>(() => committee.Aggregate.ValidateChange(second, committee.Agencies));
        Assert.Equal("ONE_STANDING_DEPUTY_HEAD", ex.Reason);
    }
}
