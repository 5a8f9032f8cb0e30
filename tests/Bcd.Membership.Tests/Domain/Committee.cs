using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace Bcd.Membership.Tests.Domain;

/// <summary>
/// The Bắc Ninh committee as seeded (founded 03/6/2026, Head Phạm Hoàng Sơn, Standing Agency Công an
/// tỉnh), with helpers that run changes through the same Validate/Apply path the service uses. No I/O.
/// </summary>
internal sealed class Committee
{
    public static readonly DateTimeOffset Now = new(2026, 7, 15, 3, 0, 0, TimeSpan.Zero); // 10:00 in Hà Nội

    public Committee()
    {
        Time = new FakeTimeProvider(Now);
        var founded = BacNinhSeed.Build(Time);
        Aggregate = founded.Committee;
        Agencies = founded.Agencies.ToDictionary(a => a.AgencyId, StringComparer.Ordinal);
    }

    public FakeTimeProvider Time { get; }

    public CommitteeAggregate Aggregate { get; }

    public Dictionary<string, Agency> Agencies { get; }

    public DateOnly Today => Time.Today();

    public static DateOnly D(int year, int month, int day) => new(year, month, day);

    public static Decision Decision(string number, DateOnly date) => new() { Number = number, Date = date.ToProtoDate(), Signer = "Phạm Hoàng Sơn" };

    public static Caller Person(string personId, string? agency = null, string committee = BacNinhSeed.CommitteeId) =>
        new(personId, personId, committee, agency, "Bắc Ninh", new HashSet<string>());

    public static Caller Head => Person(BacNinhSeed.HeadPersonId, CommitteeFactory.ProvincialGovernmentAgencyId);

    public static Caller StandingAgencyStaff => Person("can-bo-ca", BacNinhSeed.StandingAgencyId);

    public Agency Register(string agencyId, string name, AgencyKind kind = AgencyKind.Department)
    {
        var agency = new Agency { AgencyId = agencyId, CommitteeId = BacNinhSeed.CommitteeId, Name = name, Kind = kind };
        Agencies[agencyId] = agency;
        return agency;
    }

    /// <summary>Proposes and applies an APPOINT to a new seat; returns the seat.</summary>
    public Seat AppointNewSeat(string personId, Role role, string agencyId, DateOnly effective, bool provincialLeader = false,
        string title = "", string decisionNumber = "100/QĐ-BCĐ")
    {
        var change = new MembershipChange
        {
            Kind = ChangeKind.Appoint,
            NewSeat = new NewSeat
            {
                Title = title.Length > 0 ? title : $"{role} {agencyId}",
                Role = role,
                AgencyId = agencyId,
                ProvincialLeader = provincialLeader,
            },
            Person = new Person { PersonId = personId, FullName = personId },
            EffectiveDate = effective.ToProtoDate(),
        };
        return Apply(change, decisionNumber, effective);
    }

    /// <summary>Proposes and applies an APPOINT to an existing vacant seat.</summary>
    public Seat AppointToSeat(string seatId, string personId, DateOnly effective, string decisionNumber = "101/QĐ-BCĐ") =>
        Apply(new MembershipChange
        {
            Kind = ChangeKind.Appoint,
            SeatId = seatId,
            Person = new Person { PersonId = personId, FullName = personId },
            EffectiveDate = effective.ToProtoDate(),
        }, decisionNumber, effective);

    public Seat Replace(string seatId, string personId, DateOnly effective, string decisionNumber = "102/QĐ-BCĐ") =>
        Apply(Replacement(seatId, personId, effective), decisionNumber, effective);

    public Seat Remove(string seatId, DateOnly effective, string decisionNumber = "103/QĐ-BCĐ") =>
        Apply(Removal(seatId, effective), decisionNumber, effective);

    public static MembershipChange Replacement(string seatId, string personId, DateOnly effective) => new()
    {
        Kind = ChangeKind.Replace,
        SeatId = seatId,
        Person = new Person { PersonId = personId, FullName = personId },
        EffectiveDate = effective.ToProtoDate(),
    };

    public static MembershipChange Removal(string seatId, DateOnly effective) => new()
    {
        Kind = ChangeKind.Remove,
        SeatId = seatId,
        EffectiveDate = effective.ToProtoDate(),
    };

    public Seat Apply(MembershipChange change, string decisionNumber, DateOnly decisionDate)
    {
        Aggregate.ValidateChange(change, Agencies);
        return Aggregate.ApplyChange(change, Decision(decisionNumber, decisionDate)).Seat;
    }

    public Delegation Delegate(string personId, DateTimeOffset from, DateTimeOffset until, params DelegationScope[] scopes) =>
        Aggregate.GrantDelegation(personId, scopes, Timestamp.FromDateTimeOffset(from), Timestamp.FromDateTimeOffset(until),
            Decision("200/QĐ-BCĐ", Today), BacNinhSeed.HeadPersonId, Today);

    public RosterEntry? RosterEntryFor(string seatId, DateOnly date) =>
        Aggregate.Roster(date, Agencies).SingleOrDefault(e => e.SeatId == seatId);

    public string? HolderOn(string seatId, DateOnly date) => RosterEntryFor(seatId, date) is { Vacant: false } e ? e.Holder.PersonId : null;
}
