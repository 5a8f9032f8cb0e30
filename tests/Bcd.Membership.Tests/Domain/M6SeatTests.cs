using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M6 (Điều 13.1, kiêm nhiệm): a person is a member through their office; the seat stays, holders change.</summary>
public sealed class M6SeatTests
{
    [Theory]
    [InlineData(2026, 7, 1, "do-van-khoa")]
    [InlineData(2026, 9, 30, "do-van-khoa")]
    [InlineData(2026, 10, 1, "ngo-thi-g")]
    public void M6_MemberIsTheOfficeNotThePerson(int year, int month, int day, string holder)
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 1));
        committee.Replace("seat-giam-doc-so-khcn", "ngo-thi-g", D(2026, 10, 1));
        var date = D(year, month, day);

        var entry = committee.RosterEntryFor("seat-giam-doc-so-khcn", date)!;

        // Same seat, title and agency on every date; only the holder differs.
        Assert.Equal("Giám đốc Sở Khoa học và Công nghệ", entry.Title);
        Assert.Equal(BacNinhSeed.ScienceDepartmentId, entry.AgencyId);
        Assert.Equal(Role.Member, entry.Role);
        Assert.Equal(holder, entry.Holder.PersonId);
        Assert.Equal(3 + 1, committee.Aggregate.Roster(date, committee.Agencies).Count); // Head + the three seeded seats
        Assert.Equal(["seat-giam-doc-so-khcn"], committee.Aggregate.SeatsHeldBy(holder, date).Select(s => s.SeatId));
    }

    [Fact]
    public void M6_LeavingTheOfficeEndsTheMembership()
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 1));
        committee.Replace("seat-giam-doc-so-khcn", "ngo-thi-g", D(2026, 10, 1));

        Assert.Empty(committee.Aggregate.SeatsHeldBy("do-van-khoa", D(2026, 10, 1)));
        Assert.DoesNotContain(committee.Aggregate.Roster(D(2026, 10, 1), committee.Agencies), e => e.Holder?.PersonId == "do-van-khoa");
        Assert.Equal(["do-van-khoa", "ngo-thi-g"], committee.Aggregate.FindSeat("seat-giam-doc-so-khcn").Tenures.Select(t => t.Person.PersonId));
    }

    [Fact]
    public void M6_OnePersonMayHoldSeveralSeatsConcurrently()
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-cong-an-tinh", "le-van-b", D(2026, 7, 1));
        var deputy = committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));

        var seats = committee.Aggregate.SeatsHeldBy("le-van-b", committee.Today).Select(s => s.SeatId).Order(StringComparer.Ordinal);

        Assert.Equal(new[] { "seat-giam-doc-cong-an-tinh", deputy.SeatId }.Order(StringComparer.Ordinal), seats);
        Assert.Equal(2, committee.Aggregate.Roster(committee.Today, committee.Agencies).Count(e => e.Holder?.PersonId == "le-van-b"));
    }
}
