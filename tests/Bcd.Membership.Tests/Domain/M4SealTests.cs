using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M4 (Điều 13.1): which seal and issuing body apply when a member signs.</summary>
public sealed class M4SealTests
{
    [Theory]
    // role, seat agency, provincial leader → seal, issuing agency
    [InlineData(Role.StandingDeputyHead, "ubnd-tinh", true, SealKind.ProvincialPeoplesCommittee, "ubnd-tinh")]
    [InlineData(Role.DeputyHead, "ubnd-tinh", true, SealKind.ProvincialPeoplesCommittee, "ubnd-tinh")]
    [InlineData(Role.StandingDeputyHead, "cong-an-tinh", false, SealKind.OwnAgency, "cong-an-tinh")]
    [InlineData(Role.DeputyHead, "so-khcn", false, SealKind.OwnAgency, "so-khcn")]
    [InlineData(Role.Member, "so-noi-vu", false, SealKind.OwnAgency, "so-noi-vu")]
    [InlineData(Role.Member, "so-khcn", true, SealKind.OwnAgency, "so-khcn")] // a member signs for their agency even if flagged a leader
    public void M4_ProvincialLeaderSignsWithProvincialSeal_MemberWithOwnAgencySeal(
        Role role, string agencyId, bool provincialLeader, SealKind seal, string issuingAgencyId)
    {
        var committee = new Committee();
        var seat = committee.AppointNewSeat("nguoi-ky", role, agencyId, D(2026, 7, 1), provincialLeader);

        var authority = committee.Aggregate.SigningAuthority("nguoi-ky", committee.Today, committee.Agencies);

        Assert.Equal(seal, authority.Seal);
        Assert.Equal(issuingAgencyId, authority.IssuingAgencyId);
        Assert.Equal(committee.Agencies[issuingAgencyId].Name, authority.IssuingAgencyName);
        Assert.Equal(seat.SeatId, authority.SeatId);
        Assert.Equal(role, authority.Role);
    }

    [Fact]
    public void M4_TheHeadSignsWithTheProvincialPeoplesCommitteeSeal()
    {
        var committee = new Committee();

        var authority = committee.Aggregate.SigningAuthority(BacNinhSeed.HeadPersonId, committee.Today, committee.Agencies);

        Assert.Equal(SealKind.ProvincialPeoplesCommittee, authority.Seal);
        Assert.Equal(Role.Head, authority.Role);
        Assert.Equal("ubnd-tinh", authority.IssuingAgencyId);
        Assert.Equal("Ủy ban nhân dân tỉnh Bắc Ninh", authority.IssuingAgencyName);
    }

    [Fact]
    public void M4_SomeoneHoldingNoSeatOnTheDateCannotSign()
    {
        var committee = new Committee();
        committee.Replace("seat-head", "nguyen-van-a", D(2026, 9, 1));

        Assert.Equal(SealKind.ProvincialPeoplesCommittee,
            committee.Aggregate.SigningAuthority(BacNinhSeed.HeadPersonId, D(2026, 8, 31), committee.Agencies).Seal);
        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.SigningAuthority(BacNinhSeed.HeadPersonId, D(2026, 9, 1), committee.Agencies));
        Assert.Equal("M4", ex.Rule);
        Assert.Equal("NOT_A_MEMBER", ex.Reason);
        Assert.Throws<RuleViolationException>(() => committee.Aggregate.SigningAuthority("nguoi-ngoai-ban", committee.Today, committee.Agencies));
    }

    [Fact]
    public void M4_APersonHoldingTwoSeatsSignsByTheHigherOne()
    {
        // Kiêm nhiệm: the Director of Công an tỉnh is a member and also Standing Deputy Head, as a provincial leader.
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-cong-an-tinh", "le-van-b", D(2026, 7, 1));
        var deputySeat = committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, "ubnd-tinh", D(2026, 7, 1), provincialLeader: true);

        var authority = committee.Aggregate.SigningAuthority("le-van-b", committee.Today, committee.Agencies);

        Assert.Equal(deputySeat.SeatId, authority.SeatId);
        Assert.Equal(SealKind.ProvincialPeoplesCommittee, authority.Seal);
    }
}
