using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M3: the Head delegates to the Standing Deputy Head or a Deputy Head, with a scope and a validity window.</summary>
public sealed class M3DelegationTests
{
    private static readonly DateTimeOffset From = new(2026, 7, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2026, 7, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The Standing Deputy Head le-van-b holds a delegation to chair meetings and sign, 10/7–20/7.</summary>
    private static (Committee Committee, Delegation Delegation) WithDelegation()
    {
        var committee = new Committee();
        committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));
        var delegation = committee.Delegate("le-van-b", From, Until, DelegationScope.ChairMeetings, DelegationScope.SignDocuments);
        return (committee, delegation);
    }

    public static TheoryData<DelegationScope, DateTimeOffset, bool> ScopeAndWindow => new()
    {
        { DelegationScope.SignDocuments, Now, true },
        { DelegationScope.ChairMeetings, Now, true },
        { DelegationScope.ConveneMeetings, Now, false },             // not in the delegation's scope
        { DelegationScope.WorkWithAgencies, Now, false },
        { DelegationScope.SignDocuments, From.AddSeconds(-1), false }, // before the window opens
        { DelegationScope.SignDocuments, From, true },                // the window includes its start
        { DelegationScope.SignDocuments, Until.AddSeconds(-1), true },
        { DelegationScope.SignDocuments, Until, false },              // and excludes its end
        { DelegationScope.SignDocuments, Until.AddDays(30), false },
    };

    [Theory]
    [MemberData(nameof(ScopeAndWindow))]
    public void M3_DelegateActsOnlyWithinScopeAndWindow(DelegationScope scope, DateTimeOffset at, bool allowed)
    {
        var (committee, delegation) = WithDelegation();
        var deputy = Person("le-van-b", BacNinhSeed.StandingAgencyId);

        if (allowed)
        {
            var capacity = committee.Aggregate.RequireHeadOrDelegate(deputy, scope, at, "M2");
            Assert.Equal(delegation.DelegationId, capacity.DelegationId);
            Assert.StartsWith(CommitteeAggregate.HeadRole, capacity.ActingAs, StringComparison.Ordinal);
        }
        else
        {
            var ex = Assert.Throws<PermissionDeniedException>(() => committee.Aggregate.RequireHeadOrDelegate(deputy, scope, at, "M2"));
            Assert.Equal("NOT_HOLDER_OR_DELEGATE", ex.Reason);
        }
    }

    [Fact]
    public void M3_GrantedDelegationRecordsDelegatorSeatWindowAndDecision()
    {
        var (committee, delegation) = WithDelegation();

        Assert.Equal(BacNinhSeed.HeadPersonId, delegation.DelegatorPersonId);
        Assert.Equal("le-van-b", delegation.DelegatePersonId);
        Assert.Equal(committee.Aggregate.SeatsHeldBy("le-van-b", committee.Today).Single().SeatId, delegation.DelegateSeatId);
        Assert.Equal([DelegationScope.ChairMeetings, DelegationScope.SignDocuments], delegation.Scopes);
        Assert.Equal(Timestamp.FromDateTimeOffset(From), delegation.ValidFrom);
        Assert.Equal(Timestamp.FromDateTimeOffset(Until), delegation.ValidUntil);
        Assert.Equal("200/QĐ-BCĐ", delegation.Decision.Number);
        Assert.Contains(delegation, committee.Aggregate.State.Delegations);
    }

    [Theory]
    [InlineData(-1, true)]   // acts done before the revocation stay valid
    [InlineData(0, false)]   // from the moment of revocation
    [InlineData(24, false)]
    public void M3_RevokedDelegationNoLongerAuthorises(int hoursFromRevocation, bool allowed)
    {
        var (committee, delegation) = WithDelegation();
        var revokedAt = new DateTimeOffset(2026, 7, 15, 0, 0, 0, TimeSpan.Zero);
        committee.Aggregate.RevokeDelegation(delegation.DelegationId, "Trưởng Ban trực tiếp chủ trì", Timestamp.FromDateTimeOffset(revokedAt));
        var at = revokedAt.AddHours(hoursFromRevocation);
        var deputy = Person("le-van-b", BacNinhSeed.StandingAgencyId);

        if (allowed)
        {
            Assert.Equal(delegation.DelegationId, committee.Aggregate.RequireHeadOrDelegate(deputy, DelegationScope.SignDocuments, at, "M2").DelegationId);
        }
        else
        {
            Assert.Throws<PermissionDeniedException>(() => committee.Aggregate.RequireHeadOrDelegate(deputy, DelegationScope.SignDocuments, at, "M2"));
        }
    }

    [Fact]
    public void M3_RevokingTwiceIsRefused()
    {
        var (committee, delegation) = WithDelegation();
        committee.Aggregate.RevokeDelegation(delegation.DelegationId, "Hết nhiệm vụ", Timestamp.FromDateTimeOffset(Now));

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.RevokeDelegation(delegation.DelegationId, "Lần hai", Timestamp.FromDateTimeOffset(Now.AddHours(1))));

        Assert.Equal("DELEGATION_ALREADY_REVOKED", ex.Reason);
        Assert.Equal("Hết nhiệm vụ", delegation.RevokeReason);
    }

    [Theory]
    [InlineData("do-van-khoa")]               // a member (Giám đốc Sở KH&CN)
    [InlineData("nguoi-ngoai-ban")]           // not on the committee at all
    [InlineData(BacNinhSeed.HeadPersonId)]    // the Head holds no deputy seat
    [InlineData("tran-thi-mai")]              // a Deputy Head whose appointment takes effect only later
    public void M3_DelegationOnlyToADeputyHead(string delegatePersonId)
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 1));
        committee.AppointNewSeat("tran-thi-mai", Role.DeputyHead, BacNinhSeed.ScienceDepartmentId, D(2026, 8, 1));

        var ex = Assert.Throws<RuleViolationException>(() => committee.Delegate(delegatePersonId, From, Until, DelegationScope.SignDocuments));

        Assert.Equal("M3", ex.Rule);
        Assert.Equal("DELEGATE_NOT_DEPUTY_HEAD", ex.Reason);
        Assert.Empty(committee.Aggregate.State.Delegations);
    }

    [Theory]
    [InlineData(Role.StandingDeputyHead)]
    [InlineData(Role.DeputyHead)]
    public void M3_DelegationToTheStandingDeputyHeadOrADeputyHeadIsGranted(Role role)
    {
        var committee = new Committee();
        var seat = committee.AppointNewSeat("le-van-b", role, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));

        var delegation = committee.Delegate("le-van-b", From, Until, DelegationScope.ConveneMeetings);

        Assert.Equal(seat.SeatId, delegation.DelegateSeatId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void M3_DelegationMustEndAfterItStarts(int days)
    {
        var (committee, _) = WithDelegation();

        var ex = Assert.Throws<InvalidArgumentException>(() =>
            committee.Delegate("le-van-b", From, From.AddDays(days), DelegationScope.SignDocuments));

        Assert.Equal("valid_until", Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void M3_DelegationLapsesWhenTheDelegateLeavesTheDeputySeat()
    {
        // le-van-b is replaced as Standing Deputy Head on 16/7, inside the delegation's window (10/7–20/7).
        var (committee, delegation) = WithDelegation();
        committee.Replace(delegation.DelegateSeatId, "tran-van-c", D(2026, 7, 16));
        var former = Person("le-van-b", BacNinhSeed.StandingAgencyId);

        Assert.Equal(delegation.DelegationId,
            committee.Aggregate.RequireHeadOrDelegate(former, DelegationScope.SignDocuments, new DateTimeOffset(2026, 7, 15, 3, 0, 0, TimeSpan.Zero), "M2").DelegationId);
        Assert.Throws<PermissionDeniedException>(() =>
            committee.Aggregate.RequireHeadOrDelegate(former, DelegationScope.SignDocuments, new DateTimeOffset(2026, 7, 17, 3, 0, 0, TimeSpan.Zero), "M2"));
    }
}
