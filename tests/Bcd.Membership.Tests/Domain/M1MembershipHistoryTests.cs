using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using static Bcd.Membership.Tests.Domain.Committee;

namespace Bcd.Membership.Tests.Domain;

/// <summary>M1: every appointment, replacement and removal has an effective date and a decision; "who was a member on D".</summary>
public sealed class M1MembershipHistoryTests
{
    public static TheoryData<DateOnly, string?> HeadOnDate => new()
    {
        { D(2026, 6, 2), null },                        // before the founding decision took effect
        { D(2026, 6, 3), BacNinhSeed.HeadPersonId },    // founding date: 1455/QĐ-UBND
        { D(2026, 8, 31), BacNinhSeed.HeadPersonId },   // the day before the replacement
        { D(2026, 9, 1), "nguyen-van-a" },              // replacement takes effect
        { D(2027, 1, 1), "nguyen-van-a" },
    };

    [Theory]
    [MemberData(nameof(HeadOnDate))]
    public void M1_RosterAsOfDateShowsHolderBeforeReplacement(DateOnly asOf, string? expectedHead)
    {
        var committee = new Committee();
        committee.Replace("seat-head", "nguyen-van-a", D(2026, 9, 1), "1700/QĐ-UBND");

        Assert.Equal(expectedHead, committee.HolderOn("seat-head", asOf));
        Assert.Equal(expectedHead, committee.Aggregate.HeadPersonOn(asOf));
    }

    [Fact]
    public void M1_ReplacementRecordsEffectiveDateAndDecisionOnBothTenures()
    {
        var committee = new Committee();
        var seat = committee.Replace("seat-head", "nguyen-van-a", D(2026, 9, 1), "1700/QĐ-UBND");

        Assert.Equal(2, seat.Tenures.Count);
        var ended = seat.Tenures[0];
        Assert.Equal(BacNinhSeed.HeadPersonId, ended.Person.PersonId);
        Assert.Equal("1455/QĐ-UBND", ended.AppointedBy.Number);
        Assert.Equal(new Google.Type.Date { Year = 2026, Month = 9, Day = 1 }, ended.Until);
        Assert.Equal("1700/QĐ-UBND", ended.EndedBy.Number);
        var current = seat.Tenures[1];
        Assert.Equal("nguyen-van-a", current.Person.PersonId);
        Assert.Equal(new Google.Type.Date { Year = 2026, Month = 9, Day = 1 }, current.From);
        Assert.Null(current.Until);
        Assert.Equal("1700/QĐ-UBND", current.AppointedBy.Number);

        var entry = committee.RosterEntryFor("seat-head", D(2026, 9, 1))!;
        Assert.Equal("1700/QĐ-UBND", entry.AppointedBy.Number);
        Assert.Equal(new Google.Type.Date { Year = 2026, Month = 9, Day = 1 }, entry.Since);
    }

    [Theory]
    [InlineData(2026, 6, 30, false)]
    [InlineData(2026, 7, 1, true)]
    [InlineData(2026, 12, 31, true)]
    public void M1_NewSeatAppearsOnTheRosterFromItsEffectiveDate(int year, int month, int day, bool shown)
    {
        var committee = new Committee();
        var seat = committee.AppointNewSeat("tran-thi-mai", Role.DeputyHead, BacNinhSeed.ScienceDepartmentId, D(2026, 7, 1));

        var roster = committee.Aggregate.Roster(D(year, month, day), committee.Agencies);

        Assert.Equal(shown, roster.Any(e => e.SeatId == seat.SeatId));
        Assert.Equal(shown, roster.Any(e => !e.Vacant && e.Holder.PersonId == "tran-thi-mai"));
    }

    [Fact]
    public void M1_RemovedSeatLeavesTheRosterOnItsRemovalDate()
    {
        var committee = new Committee();
        var seat = committee.AppointNewSeat("tran-thi-mai", Role.DeputyHead, BacNinhSeed.ScienceDepartmentId, D(2026, 7, 1));
        committee.Remove(seat.SeatId, D(2026, 10, 1), "1800/QĐ-BCĐ");

        Assert.Equal("tran-thi-mai", committee.HolderOn(seat.SeatId, D(2026, 9, 30)));
        Assert.Null(committee.RosterEntryFor(seat.SeatId, D(2026, 10, 1)));
        Assert.Equal("1800/QĐ-BCĐ", seat.Tenures.Single().EndedBy.Number);
        Assert.Equal(new Google.Type.Date { Year = 2026, Month = 10, Day = 1 }, seat.RemovedOn);
    }

    [Fact]
    public void M1_VacantSeatAppearsAsVacantWithItsAgency()
    {
        var committee = new Committee();

        var entry = committee.RosterEntryFor("seat-giam-doc-so-khcn", committee.Today)!;

        Assert.True(entry.Vacant);
        Assert.Null(entry.Holder);
        Assert.Equal("Sở Khoa học và Công nghệ tỉnh Bắc Ninh", entry.AgencyName);
    }

    [Theory]
    [InlineData(2026, 6, 2, false)] // before the founding decision: no seat yet
    [InlineData(2026, 6, 3, true)]  // from the founding decision, vacant
    [InlineData(2026, 7, 9, true)]  // still vacant the day before its first holder
    public void M1_SeededSeatIsVacantFromTheFoundingUntilItsFirstHolder(int year, int month, int day, bool listedVacant)
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 10));

        var entry = committee.RosterEntryFor("seat-giam-doc-so-khcn", D(year, month, day));

        Assert.Equal(listedVacant, entry is not null);
        Assert.True(entry is null || entry.Vacant);
        Assert.Equal("do-van-khoa", committee.RosterEntryFor("seat-giam-doc-so-khcn", D(2026, 7, 10))!.Holder.PersonId);
    }

    [Fact]
    public void M1_AppointingBeforeTheSeatExistedIsRefused()
    {
        var committee = new Committee();

        var ex = Assert.Throws<Bcd.ServiceDefaults.Errors.RuleViolationException>(() =>
            committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 5, 1)));

        Assert.Equal("EFFECTIVE_DATE_BEFORE_SEAT", ex.Reason);
        Assert.Equal("M1", ex.Rule);
    }

    [Fact]
    public void M1_ExactlyOneHead_NoSecondHeadSeat()
    {
        var committee = new Committee();

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.AppointNewSeat("nguyen-van-a", Role.Head, CommitteeFactory.ProvincialGovernmentAgencyId, D(2026, 7, 1)));

        Assert.Equal("M1", ex.Rule);
        Assert.Equal("ONE_HEAD", ex.Reason);
        Assert.Single(committee.Aggregate.State.Seats, s => s.Role == Role.Head);
    }

    [Fact]
    public void M1_ExactlyOneHead_HeadSeatIsNotRemovable()
    {
        var committee = new Committee();

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.ValidateChange(Removal("seat-head", D(2026, 9, 1)), committee.Agencies));

        Assert.Equal("HEAD_SEAT_PERMANENT", ex.Reason);
        Assert.Equal(BacNinhSeed.HeadPersonId, committee.Aggregate.HeadPersonOn(D(2026, 9, 1)));
    }

    [Fact]
    public void M1_OneStandingDeputyHead_SecondIsRefused()
    {
        var committee = new Committee();
        committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.AppointNewSeat("tran-van-c", Role.StandingDeputyHead, BacNinhSeed.ScienceDepartmentId, D(2026, 7, 2)));

        Assert.Equal("ONE_STANDING_DEPUTY_HEAD", ex.Reason);
        Assert.Single(committee.Aggregate.State.Seats, s => s.Role == Role.StandingDeputyHead);
    }

    [Fact]
    public void M1_OneStandingDeputyHead_ReplacingTheHolderIsAllowed()
    {
        var committee = new Committee();
        var seat = committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));

        committee.Replace(seat.SeatId, "tran-van-c", D(2026, 10, 1));

        Assert.Equal("tran-van-c", committee.HolderOn(seat.SeatId, D(2026, 10, 1)));
        Assert.Single(committee.Aggregate.State.Seats, s => s.Role == Role.StandingDeputyHead);
    }

    [Fact]
    public void M1_StandingBoardIsDerivedFromTheRoster()
    {
        var committee = new Committee();
        committee.AppointNewSeat("le-van-b", Role.StandingDeputyHead, BacNinhSeed.StandingAgencyId, D(2026, 7, 1));
        committee.AppointNewSeat("tran-thi-mai", Role.DeputyHead, BacNinhSeed.ScienceDepartmentId, D(2026, 8, 1));
        committee.AppointToSeat("seat-giam-doc-so-noi-vu", "do-van-khoa", D(2026, 7, 1));

        var board = committee.Aggregate.StandingBoard(D(2026, 7, 15), committee.Agencies);

        Assert.Equal([BacNinhSeed.HeadPersonId, "le-van-b"], board.Select(e => e.Holder.PersonId));
        Assert.Equal(
            [BacNinhSeed.HeadPersonId, "le-van-b", "tran-thi-mai"],
            committee.Aggregate.StandingBoard(D(2026, 8, 1), committee.Agencies).Select(e => e.Holder.PersonId));
    }

    [Fact]
    public void M1_AppointingIntoAHeldSeatIsRefused_UseReplacement()
    {
        var committee = new Committee();
        committee.AppointToSeat("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 7, 1));

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.AppointToSeat("seat-giam-doc-so-khcn", "tran-van-c", D(2026, 8, 1)));

        Assert.Equal("SEAT_NOT_VACANT", ex.Reason);
    }

    [Theory]
    [InlineData(2026, 6, 3)] // the same day the current holder took the seat
    [InlineData(2026, 5, 1)] // before it
    public void M1_ReplacementMustTakeEffectAfterTheCurrentTenureBegan(int year, int month, int day)
    {
        var committee = new Committee();

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.ValidateChange(Replacement("seat-head", "nguyen-van-a", D(year, month, day)), committee.Agencies));

        Assert.Equal("EFFECTIVE_DATE_BEFORE_TENURE", ex.Reason);
    }

    [Fact]
    public void M1_ReplacingAHolderWithThemselvesIsRefused()
    {
        var committee = new Committee();

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.ValidateChange(Replacement("seat-head", BacNinhSeed.HeadPersonId, D(2026, 9, 1)), committee.Agencies));

        Assert.Equal("SAME_HOLDER", ex.Reason);
    }

    [Fact]
    public void M1_ReplacingInAVacantSeatIsRefused_AppointInstead()
    {
        var committee = new Committee();

        var ex = Assert.Throws<RuleViolationException>(() =>
            committee.Aggregate.ValidateChange(Replacement("seat-giam-doc-so-khcn", "do-van-khoa", D(2026, 9, 1)), committee.Agencies));

        Assert.Equal("SEAT_VACANT", ex.Reason);
    }

    [Fact]
    public void M1_NewSeatNeedsARegisteredAgency()
    {
        var committee = new Committee();

        var ex = Assert.Throws<InvalidArgumentException>(() =>
            committee.AppointNewSeat("tran-thi-mai", Role.Member, "so-chua-dang-ky", D(2026, 7, 1)));

        Assert.Equal("new_seat.agency_id", Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void M1_ChangeToAnUnknownSeatIsNotFound()
    {
        var committee = new Committee();

        Assert.Throws<NotFoundException>(() =>
            committee.Aggregate.ValidateChange(Replacement("seat-khong-co", "nguyen-van-a", D(2026, 9, 1)), committee.Agencies));
    }
}
