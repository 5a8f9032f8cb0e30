using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Projections.Membership.Tests;

/// <summary>
/// Membership events shaped as the membership service publishes them: each seat event carries the
/// whole seat with every tenure (a replaced tenure's Until is the replacement's effective day), each
/// delegation or group event the whole delegation or group. Also compiled into the tests of the
/// services that use the projection (their csproj links this file), so keep it free of anything
/// but the contracts and ServiceDefaults.
/// </summary>
internal static class MembershipHistory
{
    public const string CommitteeId = "bac-ninh";
    public const string StandingAgencyId = "cong-an-tinh";
    public const string Head = "pham-hoang-son";
    public const string Deputy = "pho-chu-tich-ubnd";
    public const string MemberKhcn = "giam-doc-so-khcn";
    public const string NewMemberKhcn = "tan-giam-doc-so-khcn";
    public const string MemberNoiVu = "giam-doc-so-noi-vu";

    public static readonly DateOnly Founded = new(2026, 6, 3);
    public static readonly DateOnly ReplacedOn = new(2026, 9, 15);
    public static readonly DateOnly RemovedOn = new(2026, 10, 1);
    public static readonly DateTimeOffset DelegationFrom = new(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(7));
    public static readonly DateTimeOffset DelegationUntil = new(2026, 12, 31, 0, 0, 0, TimeSpan.FromHours(7));
    public static readonly DateTimeOffset RevokedAt = new(2026, 8, 20, 9, 30, 0, TimeSpan.FromHours(7));

    /// <summary>The sequence the relay gives the n-th entry of membership's outbox (zero-padded stream id).</summary>
    public static string Seq(int n) => CloudEventEnvelope.SequenceOf($"1780000000000-{n}");

    public static CommitteeCreated Committee() => new()
    {
        CommitteeId = CommitteeId,
        Province = "Bắc Ninh",
        Name = "Ban Chỉ đạo tỉnh Bắc Ninh",
        StandingAgencyId = StandingAgencyId,
        ProvincialGovernmentAgencyId = "ubnd-tinh",
        FoundingDecision = Decision("1234/QĐ-UBND", Founded),
        OccurredAt = Timestamp.FromDateTimeOffset(DelegationFrom),
    };

    public static AgencyRegistered Agency(string agencyId, string name) => new()
    {
        CommitteeId = CommitteeId,
        Agency = new Agency { AgencyId = agencyId, CommitteeId = CommitteeId, Name = name, ShortName = agencyId },
    };

    public static Tenure Tenure(string personId, string fullName, DateOnly from, DateOnly? until = null)
    {
        var tenure = new Tenure { Person = Person(personId, fullName), From = from.ToProtoDate(), AppointedBy = Decision("1/QĐ", from) };
        if (until is { } u)
        {
            tenure.Until = u.ToProtoDate();
        }

        return tenure;
    }

    public static Seat Seat(string seatId, string title, Role role, string agencyId, DateOnly createdOn, params Tenure[] tenures)
    {
        var seat = new Seat { SeatId = seatId, Title = title, Role = role, AgencyId = agencyId, CreatedOn = createdOn.ToProtoDate() };
        seat.Tenures.AddRange(tenures);
        return seat;
    }

    public static Seat KhcnSeat(params Tenure[] tenures) =>
        Seat("seat-giam-doc-so-khcn", "Giám đốc Sở KH&CN", Role.Member, "so-khcn", Founded, tenures);

    public static MemberAppointed Appointed(Seat seat) => new()
    {
        CommitteeId = CommitteeId, Seat = seat, Person = seat.Tenures[^1].Person, EffectiveDate = seat.Tenures[^1].From,
    };

    public static MemberReplaced Replaced(Seat seat) => new()
    {
        CommitteeId = CommitteeId, Seat = seat, PreviousPerson = seat.Tenures[^2].Person, Person = seat.Tenures[^1].Person,
        EffectiveDate = seat.Tenures[^1].From,
    };

    public static MemberRemoved Removed(Seat seat) => new()
    {
        CommitteeId = CommitteeId, Seat = seat, Person = seat.Tenures[^1].Person, EffectiveDate = seat.RemovedOn,
    };

    public static Delegation Delegation(DateTimeOffset? revokedAt = null)
    {
        var delegation = new Delegation
        {
            DelegationId = "dlg-1",
            DelegatorPersonId = Head,
            DelegatePersonId = Deputy,
            DelegateSeatId = "seat-deputy",
            ValidFrom = Timestamp.FromDateTimeOffset(DelegationFrom),
            ValidUntil = Timestamp.FromDateTimeOffset(DelegationUntil),
            Decision = Decision("55/QĐ-BCĐ", DateOnly.FromDateTime(DelegationFrom.Date)),
            Scopes = { DelegationScope.ConveneMeetings, DelegationScope.ChairMeetings },
        };
        if (revokedAt is { } at)
        {
            delegation.RevokedAt = Timestamp.FromDateTimeOffset(at);
            delegation.RevokeReason = "Trưởng Ban trở lại";
        }

        return delegation;
    }

    public static WorkingGroup Group(int formation, params (string PersonId, string Name, string AgencyId, GroupRole Role)[] members)
    {
        var group = new WorkingGroup
        {
            GroupId = "wg-sti-dx",
            Code = "WG-STI-DX",
            Kind = GroupKind.WorkingGroup,
            Name = "Tổ Công tác KHCN, ĐMST và CĐS",
            LeadAgencyId = "so-khcn",
            StandingAgencyId = StandingAgencyId,
            Formation = formation,
        };
        group.Members.AddRange(members.Select(m => new GroupMember { Person = Person(m.PersonId, m.Name), AgencyId = m.AgencyId, Role = m.Role }));
        return group;
    }

    /// <summary>
    /// A committee's whole life so far, in publication order: founding (committee, agencies, seats,
    /// a group), a delegation granted then revoked, a member replaced, a seat removed, the group
    /// re-formed, a secondment.
    /// </summary>
    public static IReadOnlyList<Delivery> Full()
    {
        var n = 0;
        Delivery Next(Google.Protobuf.IMessage evt) => new($"evt-{++n:D3}", evt, Seq(n));
        var headSeat = Seat("seat-head", "Trưởng Ban", Role.Head, "ubnd-tinh", Founded, Tenure(Head, "Phạm Hoàng Sơn", Founded));
        var deputySeat = Seat("seat-deputy", "Phó Trưởng Ban", Role.DeputyHead, "ubnd-tinh", Founded, Tenure(Deputy, "Phó Chủ tịch UBND tỉnh", Founded));
        var noiVuSeat = Seat("seat-giam-doc-so-noi-vu", "Giám đốc Sở Nội vụ", Role.Member, "so-noi-vu", Founded,
            Tenure(MemberNoiVu, "Giám đốc Sở Nội vụ", Founded));
        var noiVuRemoved = noiVuSeat.Clone();
        noiVuRemoved.Tenures[0].Until = RemovedOn.ToProtoDate();
        noiVuRemoved.RemovedOn = RemovedOn.ToProtoDate();
        return
        [
            Next(Committee()),
            Next(Agency("ubnd-tinh", "UBND tỉnh Bắc Ninh")),
            Next(Agency(StandingAgencyId, "Công an tỉnh")),
            Next(Agency("so-khcn", "Sở Khoa học và Công nghệ")),
            Next(Agency("so-noi-vu", "Sở Nội vụ")),
            Next(Appointed(headSeat)),
            Next(Appointed(deputySeat)),
            Next(Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded)))),
            Next(Appointed(noiVuSeat)),
            Next(new WorkingGroupFormed
            {
                CommitteeId = CommitteeId,
                Group = Group(1, (MemberKhcn, "Giám đốc Sở KH&CN", "so-khcn", GroupRole.Leader), (MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.Member)),
            }),
            Next(new DelegationGranted { CommitteeId = CommitteeId, Delegation = Delegation() }),
            Next(new DelegationRevoked { CommitteeId = CommitteeId, Delegation = Delegation(RevokedAt) }),
            Next(Replaced(KhcnSeat(
                Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded, ReplacedOn), Tenure(NewMemberKhcn, "Tân Giám đốc Sở KH&CN", ReplacedOn)))),
            Next(Removed(noiVuRemoved)),
            Next(new WorkingGroupReformed
            {
                CommitteeId = CommitteeId,
                Group = Group(2, (NewMemberKhcn, "Tân Giám đốc Sở KH&CN", "so-khcn", GroupRole.Leader)),
            }),
            Next(new SecondmentRecorded
            {
                CommitteeId = CommitteeId,
                Secondment = new Secondment
                {
                    SecondmentId = "sec-1", Person = Person("can-bo-ca", "Cán bộ Công an"), FromAgencyId = StandingAgencyId,
                    StartDate = Founded.ToProtoDate(), EndDate = RemovedOn.ToProtoDate(),
                },
            }),
        ];
    }

    private static Person Person(string personId, string fullName) => new() { PersonId = personId, FullName = fullName };

    private static Decision Decision(string number, DateOnly date) => new() { Number = number, Date = date.ToProtoDate() };
}

/// <summary>One membership event as it travels: its CloudEvent id and its publisher's outbox position.</summary>
internal sealed record Delivery(string Id, Google.Protobuf.IMessage Event, string Sequence);
