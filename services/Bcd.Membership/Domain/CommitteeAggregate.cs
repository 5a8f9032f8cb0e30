using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Storage;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Membership.Domain;

/// <summary>
/// The rules of a committee's organisation (M1–M6) over its stored state. No I/O: the caller loads
/// the state and the agencies it names, and stores what the methods change.
/// </summary>
public sealed class CommitteeAggregate(CommitteeState state)
{
    public const string HeadRole = "HEAD";
    public const string StandingAgencyRole = "STANDING_AGENCY";

    public CommitteeState State { get; } = state;

    public string Id => State.Committee.CommitteeId;

    // ---- queries -------------------------------------------------------------------------------

    /// <summary>M1: the tenure of a seat that covers <paramref name="date"/>, if any.</summary>
    public static Tenure? TenureOn(Seat seat, DateOnly date)
    {
        if (seat.RemovedOn is not null && seat.RemovedOn.ToDateOnly() <= date)
        {
            return null;
        }

        return seat.Tenures.LastOrDefault(t =>
            t.From.ToDateOnly() <= date && (t.Until is null || t.Until.ToDateOnly() > date));
    }

    public static bool SeatExistsOn(Seat seat, DateOnly date)
    {
        var created = seat.CreatedOn ?? seat.Tenures.FirstOrDefault()?.From;
        return (seat.RemovedOn is null || seat.RemovedOn.ToDateOnly() > date) &&
            created is not null && created.ToDateOnly() <= date;
    }

    /// <summary>M1, M6: who held which seat on a date; vacant seats appear as vacant.</summary>
    public IReadOnlyList<RosterEntry> Roster(DateOnly date, IReadOnlyDictionary<string, Agency> agencies) =>
        State.Seats
            .Where(s => SeatExistsOn(s, date))
            .OrderBy(s => s.Role)
            .ThenBy(s => s.Title, StringComparer.Ordinal)
            .Select(s =>
            {
                var tenure = TenureOn(s, date);
                var entry = new RosterEntry
                {
                    SeatId = s.SeatId,
                    Title = s.Title,
                    Role = s.Role,
                    AgencyId = s.AgencyId,
                    AgencyName = agencies.TryGetValue(s.AgencyId, out var a) ? a.Name : string.Empty,
                    ProvincialLeader = s.ProvincialLeader,
                    Vacant = tenure is null,
                };
                if (tenure is not null)
                {
                    entry.Holder = tenure.Person;
                    entry.Since = tenure.From;
                    entry.AppointedBy = tenure.AppointedBy;
                }

                return entry;
            })
            .ToList();

    /// <summary>Thường trực BCĐ (Điều 6.1): Head, Standing Deputy Head and Deputy Heads, derived from the roster.</summary>
    public IReadOnlyList<RosterEntry> StandingBoard(DateOnly date, IReadOnlyDictionary<string, Agency> agencies) =>
        Roster(date, agencies)
            .Where(e => e.Role is Role.Head or Role.StandingDeputyHead or Role.DeputyHead && !e.Vacant)
            .ToList();

    public Seat? HeadSeat => State.Seats.FirstOrDefault(s => s.Role == Role.Head && s.RemovedOn is null);

    public string? HeadPersonOn(DateOnly date) => HeadSeat is { } seat ? TenureOn(seat, date)?.Person.PersonId : null;

    /// <summary>The seats a person holds on a date (M6: a person is a member through their office).</summary>
    public IEnumerable<Seat> SeatsHeldBy(string personId, DateOnly date) =>
        State.Seats.Where(s => TenureOn(s, date)?.Person.PersonId == personId);

    public IEnumerable<DelegationGrant> DelegationGrants() =>
        State.Delegations.Select(d => new DelegationGrant(
            d.DelegationId,
            d.DelegatePersonId,
            d.Scopes.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal),
            d.ValidFrom.ToDateTimeOffset(),
            d.ValidUntil.ToDateTimeOffset(),
            d.RevokedAt?.ToDateTimeOffset()));

    // ---- authority -----------------------------------------------------------------------------

    /// <summary>The Head in person (M2 approvals, delegations, forming groups).</summary>
    public ActingCapacity RequireHead(Caller caller, DateOnly today, string rule)
    {
        var head = HeadPersonOn(today);
        if (head is null || head != caller.PersonId)
        {
            throw Refuse.Permission(rule, "HEAD_ONLY",
                "Only the Head of the Steering Committee may do this.",
                "Chỉ Trưởng Ban Chỉ đạo mới được thực hiện việc này.");
        }

        return new ActingCapacity(caller.PersonId, HeadRole, null);
    }

    /// <summary>The Head, or a delegate whose active delegation covers <paramref name="scope"/> at <paramref name="at"/> (M3).</summary>
    public ActingCapacity RequireHeadOrDelegate(Caller caller, DelegationScope scope, DateTimeOffset at, string rule) =>
        Authority.RequirePowerOrDelegation(caller.PersonId, HeadPersonOn(ProvinceTime.DateOf(at)), HeadRole, scope.ToString(),
            EffectiveDelegations(ProvinceTime.DateOf(at)), at, rule);

    /// <summary>
    /// M3 authorises a Deputy Head: a delegation counts only while its delegate holds a deputy seat on the day.
    /// Its own window and revocation are checked by <see cref="DelegationGrant.IsActiveAt"/>.
    /// </summary>
    public IEnumerable<DelegationGrant> EffectiveDelegations(DateOnly date) =>
        DelegationGrants().Where(g =>
            SeatsHeldBy(g.DelegatePersonId, date).Any(s => s.Role is Role.StandingDeputyHead or Role.DeputyHead));

    /// <summary>Staff of the Standing Agency acting for it (Điều 9): the identity provider asserts their agency.</summary>
    public ActingCapacity RequireStandingAgency(Caller caller, string rule)
    {
        if (caller.CommitteeId != Id || caller.AgencyId != State.Committee.StandingAgencyId)
        {
            throw Refuse.Permission(rule, "STANDING_AGENCY_ONLY",
                "Only the Standing Agency of the Steering Committee may do this.",
                "Chỉ Cơ quan thường trực Ban Chỉ đạo mới được thực hiện việc này.");
        }

        return new ActingCapacity(caller.PersonId, StandingAgencyRole, null);
    }

    // ---- M2: membership changes ----------------------------------------------------------------

    /// <summary>Checks that a proposed change can apply to the current state (at proposal and again at approval).</summary>
    public void ValidateChange(MembershipChange change, IReadOnlyDictionary<string, Agency> agencies)
    {
        var effective = change.EffectiveDate.ToDateOnly();
        switch (change.Kind)
        {
            case ChangeKind.Appoint:
                if (change.Person is null)
                {
                    throw Refuse.Field("person", "The person to appoint is required.", "Cần nêu người được bổ sung.");
                }

                if (string.IsNullOrEmpty(change.SeatId))
                {
                    if (change.NewSeat is null)
                    {
                        throw Refuse.Field("new_seat", "Appointing needs a vacant seat_id or a new_seat.",
                            "Bổ sung thành viên cần nêu vị trí đang trống (seat_id) hoặc vị trí mới (new_seat).");
                    }

                    ValidateNewSeat(change.NewSeat, agencies);
                }
                else
                {
                    var seat = FindSeat(change.SeatId);
                    if (seat.RemovedOn is not null)
                    {
                        throw Refuse.Rule("M1", "SEAT_REMOVED", $"Seat {seat.SeatId} no longer exists.", $"Vị trí {seat.SeatId} đã bị bãi bỏ.");
                    }

                    if (seat.CreatedOn is not null && effective < seat.CreatedOn.ToDateOnly())
                    {
                        throw Refuse.Rule("M1", "EFFECTIVE_DATE_BEFORE_SEAT",
                            $"Seat {seat.SeatId} exists only from {seat.CreatedOn.ToDateOnly():dd/MM/yyyy}.",
                            $"Vị trí {seat.SeatId} chỉ có từ ngày {seat.CreatedOn.ToDateOnly():dd/MM/yyyy}.");
                    }

                    if (seat.Tenures.Any(t => t.Until is null || t.Until.ToDateOnly() > effective))
                    {
                        throw Refuse.Rule("M1", "SEAT_NOT_VACANT",
                            $"Seat {seat.SeatId} is held on {effective:dd/MM/yyyy}; use a replacement.",
                            $"Vị trí {seat.SeatId} đang có người giữ vào ngày {effective:dd/MM/yyyy}; hãy dùng thay thế thành viên.");
                    }
                }

                break;
            case ChangeKind.Replace:
            {
                if (change.Person is null)
                {
                    throw Refuse.Field("person", "The replacing person is required.", "Cần nêu người thay thế.");
                }

                var seat = FindSeat(change.SeatId);
                var current = CurrentTenure(seat);
                if (current is null)
                {
                    throw Refuse.Rule("M1", "SEAT_VACANT", $"Seat {seat.SeatId} has no holder to replace; appoint instead.",
                        $"Vị trí {seat.SeatId} đang trống; hãy dùng bổ sung thành viên.");
                }

                if (current.Person.PersonId == change.Person.PersonId)
                {
                    throw Refuse.Rule("M1", "SAME_HOLDER", "The person already holds this seat.", "Người này đang giữ vị trí này.");
                }

                if (effective <= current.From.ToDateOnly())
                {
                    throw Refuse.Rule("M1", "EFFECTIVE_DATE_BEFORE_TENURE",
                        "The replacement must take effect after the current holder's appointment.",
                        "Ngày hiệu lực thay thế phải sau ngày bổ nhiệm của người đang giữ vị trí.");
                }

                break;
            }
            case ChangeKind.Remove:
            {
                var seat = FindSeat(change.SeatId);
                if (seat.Role == Role.Head)
                {
                    throw Refuse.Rule("M1", "HEAD_SEAT_PERMANENT",
                        "The committee always has exactly one Head; replace the holder instead of removing the seat.",
                        "Ban Chỉ đạo luôn có đúng một Trưởng Ban; hãy thay thế người giữ chức thay vì bãi bỏ vị trí.");
                }

                if (seat.RemovedOn is not null)
                {
                    throw Refuse.Rule("M1", "SEAT_REMOVED", $"Seat {seat.SeatId} was already removed.", $"Vị trí {seat.SeatId} đã bị bãi bỏ.");
                }

                if (seat.Tenures.Count > 0 && effective < seat.Tenures[^1].From.ToDateOnly())
                {
                    throw Refuse.Rule("M1", "EFFECTIVE_DATE_BEFORE_TENURE",
                        "The removal cannot take effect before the current holder's appointment.",
                        "Ngày hiệu lực bãi bỏ không được trước ngày bổ nhiệm của người đang giữ vị trí.");
                }

                break;
            }
            default:
                throw Refuse.Field("kind", "The kind of change is required.", "Cần nêu loại thay đổi.");
        }
    }

    private void ValidateNewSeat(NewSeat seat, IReadOnlyDictionary<string, Agency> agencies)
    {
        if (!agencies.ContainsKey(seat.AgencyId))
        {
            throw Refuse.Field("new_seat.agency_id", $"Agency '{seat.AgencyId}' is not registered in this committee.",
                $"Cơ quan '{seat.AgencyId}' chưa được đăng ký trong Ban Chỉ đạo.");
        }

        if (seat.Role == Role.Head)
        {
            throw Refuse.Rule("M1", "ONE_HEAD", "The committee has exactly one Head; replace the holder instead.",
                "Ban Chỉ đạo chỉ có một Trưởng Ban; hãy thay thế người giữ chức.");
        }

        if (seat.Role == Role.StandingDeputyHead && State.Seats.Any(s => s.Role == Role.StandingDeputyHead && s.RemovedOn is null))
        {
            throw Refuse.Rule("M1", "ONE_STANDING_DEPUTY_HEAD",
                "The committee has exactly one Standing Deputy Head; replace the holder instead.",
                "Ban Chỉ đạo chỉ có một Phó Trưởng Ban Thường trực; hãy thay thế người giữ chức.");
        }
    }

    /// <summary>M1, M2: applies an approved change; returns the seat as it now is and the person it left, if any.</summary>
    public (Seat Seat, Person? Previous) ApplyChange(MembershipChange change, Decision decision)
    {
        var effective = change.EffectiveDate;
        switch (change.Kind)
        {
            case ChangeKind.Appoint:
            {
                Seat seat;
                if (string.IsNullOrEmpty(change.SeatId))
                {
                    seat = new Seat
                    {
                        SeatId = NextId("seat"),
                        Title = change.NewSeat.Title,
                        Role = change.NewSeat.Role,
                        AgencyId = change.NewSeat.AgencyId,
                        ProvincialLeader = change.NewSeat.ProvincialLeader,
                        CreatedOn = effective,
                    };
                    State.Seats.Add(seat);
                }
                else
                {
                    seat = FindSeat(change.SeatId);
                }

                seat.Tenures.Add(new Tenure { Person = change.Person, From = effective, AppointedBy = decision });
                change.SeatId = seat.SeatId;
                return (seat, null);
            }
            case ChangeKind.Replace:
            {
                var seat = FindSeat(change.SeatId);
                var current = CurrentTenure(seat)!;
                current.Until = effective;
                current.EndedBy = decision;
                seat.Tenures.Add(new Tenure { Person = change.Person, From = effective, AppointedBy = decision });
                return (seat, current.Person);
            }
            default:
            {
                var seat = FindSeat(change.SeatId);
                var current = CurrentTenure(seat);
                if (current is not null)
                {
                    current.Until = effective;
                    current.EndedBy = decision;
                }

                seat.RemovedOn = effective;
                return (seat, current?.Person);
            }
        }
    }

    // ---- M3: delegations -----------------------------------------------------------------------

    public Delegation GrantDelegation(string delegatePersonId, IEnumerable<DelegationScope> scopes, Timestamp from, Timestamp until,
        Decision decision, string delegatorPersonId, DateOnly today)
    {
        if (until.ToDateTimeOffset() <= from.ToDateTimeOffset())
        {
            throw Refuse.Field("valid_until", "The delegation must end after it starts.", "Thời hạn ủy quyền phải kết thúc sau khi bắt đầu.");
        }

        var deputySeat = SeatsHeldBy(delegatePersonId, today).FirstOrDefault(s => s.Role is Role.StandingDeputyHead or Role.DeputyHead);
        if (deputySeat is null)
        {
            throw Refuse.Rule("M3", "DELEGATE_NOT_DEPUTY_HEAD",
                "The Head may delegate only to the Standing Deputy Head or a Deputy Head.",
                "Trưởng Ban chỉ được ủy quyền cho Phó Trưởng Ban Thường trực hoặc Phó Trưởng Ban.",
                ("delegate_person_id", delegatePersonId));
        }

        var delegation = new Delegation
        {
            DelegationId = NextId("dlg"),
            DelegatorPersonId = delegatorPersonId,
            DelegatePersonId = delegatePersonId,
            DelegateSeatId = deputySeat.SeatId,
            ValidFrom = from,
            ValidUntil = until,
            Decision = decision,
        };
        delegation.Scopes.AddRange(scopes);
        State.Delegations.Add(delegation);
        return delegation;
    }

    public Delegation RevokeDelegation(string delegationId, string reason, Timestamp at)
    {
        var delegation = State.Delegations.FirstOrDefault(d => d.DelegationId == delegationId)
            ?? throw new ServiceDefaults.Errors.NotFoundException("delegation", delegationId);
        if (delegation.RevokedAt is not null)
        {
            throw Refuse.Rule("M3", "DELEGATION_ALREADY_REVOKED", "The delegation was already revoked.", "Ủy quyền này đã bị thu hồi.");
        }

        delegation.RevokedAt = at;
        delegation.RevokeReason = reason;
        return delegation;
    }

    // ---- M5: working groups and secondments ----------------------------------------------------

    public WorkingGroup FormGroup(FormWorkingGroupRequest request, IReadOnlyDictionary<string, Agency> agencies)
    {
        var groupId = request.Code.ToLowerInvariant();
        if (State.Groups.Any(g => g.GroupId == groupId))
        {
            throw new ServiceDefaults.Errors.AlreadyExistsException("working group", groupId);
        }

        RequireAgency(agencies, request.LeadAgencyId, "lead_agency_id");
        var standing = string.IsNullOrEmpty(request.StandingAgencyId) ? request.LeadAgencyId : request.StandingAgencyId;
        RequireAgency(agencies, standing, "standing_agency_id");
        ValidateGroupMembers(request.Members, agencies);
        var group = new WorkingGroup
        {
            GroupId = groupId,
            Code = request.Code,
            Kind = request.Kind,
            Name = request.Name,
            Scope = request.Scope,
            LeadAgencyId = request.LeadAgencyId,
            StandingAgencyId = standing,
            FormedBy = request.Decision,
            Formation = 1,
        };
        group.Members.AddRange(request.Members);
        State.Groups.Add(group);
        return group;
    }

    /// <summary>M5: kiện toàn — the Head or the group's leader sets the group's whole membership anew.</summary>
    public WorkingGroup ReformGroup(ReformWorkingGroupRequest request, Caller caller, DateOnly today, IReadOnlyDictionary<string, Agency> agencies)
    {
        var group = FindGroup(request.GroupId);
        var isLeader = group.Members.Any(m => m.Role == GroupRole.Leader && m.Person.PersonId == caller.PersonId);
        if (!isLeader && HeadPersonOn(today) != caller.PersonId)
        {
            throw Refuse.Permission("M5", "HEAD_OR_GROUP_LEADER_ONLY",
                "Only the Head or the group's leader may re-form the group.",
                "Chỉ Trưởng Ban Chỉ đạo hoặc Tổ trưởng mới được kiện toàn Tổ.");
        }

        ValidateGroupMembers(request.Members, agencies);
        if (!string.IsNullOrEmpty(request.StandingAgencyId))
        {
            RequireAgency(agencies, request.StandingAgencyId, "standing_agency_id");
            group.StandingAgencyId = request.StandingAgencyId;
        }

        group.Members.Clear();
        group.Members.AddRange(request.Members);
        group.LastReformedBy = request.Decision;
        group.Formation++;
        return group;
    }

    public Secondment RecordSecondment(RecordSecondmentRequest request, Caller caller, IReadOnlyDictionary<string, Agency> agencies)
    {
        if (request.EndDate.ToDateOnly() <= request.StartDate.ToDateOnly())
        {
            throw Refuse.Field("end_date", "A secondment ends after it starts.", "Thời gian trưng tập phải kết thúc sau ngày bắt đầu.");
        }

        RequireAgency(agencies, request.FromAgencyId, "from_agency_id");
        var standingAgencyActs = caller.CommitteeId == Id && caller.AgencyId == State.Committee.StandingAgencyId;
        if (!string.IsNullOrEmpty(request.GroupId))
        {
            var group = FindGroup(request.GroupId);
            var isLeader = group.Members.Any(m => m.Role == GroupRole.Leader && m.Person.PersonId == caller.PersonId);
            if (!isLeader && !standingAgencyActs)
            {
                throw Refuse.Permission("M5", "SECONDMENT_NOT_ALLOWED",
                    "Only the Standing Agency or the group's leader may second staff to the group.",
                    "Chỉ Cơ quan thường trực hoặc Tổ trưởng mới được trưng tập cán bộ cho Tổ.");
            }
        }
        else if (!standingAgencyActs)
        {
            throw Refuse.Permission("M5", "SECONDMENT_NOT_ALLOWED",
                "Only the Standing Agency may second staff to itself.",
                "Chỉ Cơ quan thường trực mới được trưng tập cán bộ cho Cơ quan thường trực.");
        }

        var secondment = new Secondment
        {
            SecondmentId = NextId("sec"),
            Person = request.Person,
            FromAgencyId = request.FromAgencyId,
            GroupId = request.GroupId,
            StartDate = request.StartDate,
            EndDate = request.EndDate,
            Decision = request.Decision,
            Purpose = request.Purpose,
        };
        State.Secondments.Add(secondment);
        return secondment;
    }

    // ---- M4: seals -----------------------------------------------------------------------------

    /// <summary>
    /// M4 (Điều 13.1): the Head and Deputy Heads who are provincial leaders sign with the Provincial
    /// People's Committee seal; other Deputy Heads and members with their own agency's seal.
    /// </summary>
    public GetSigningAuthorityResponse SigningAuthority(string personId, DateOnly date, IReadOnlyDictionary<string, Agency> agencies)
    {
        var seat = SeatsHeldBy(personId, date).OrderBy(s => s.Role).FirstOrDefault()
            ?? throw Refuse.Rule("M4", "NOT_A_MEMBER", $"{personId} holds no seat on {date:dd/MM/yyyy}.",
                $"{personId} không giữ vị trí nào trong Ban Chỉ đạo vào ngày {date:dd/MM/yyyy}.");
        var provincialSeal = seat.ProvincialLeader && seat.Role is Role.Head or Role.StandingDeputyHead or Role.DeputyHead;
        var issuingAgencyId = provincialSeal ? State.Committee.ProvincialGovernmentAgencyId : seat.AgencyId;
        return new GetSigningAuthorityResponse
        {
            PersonId = personId,
            SeatId = seat.SeatId,
            Role = seat.Role,
            Seal = provincialSeal ? SealKind.ProvincialPeoplesCommittee : SealKind.OwnAgency,
            IssuingAgencyId = issuingAgencyId,
            IssuingAgencyName = agencies.TryGetValue(issuingAgencyId, out var agency) ? agency.Name : string.Empty,
        };
    }

    // ---- helpers -------------------------------------------------------------------------------

    public Seat FindSeat(string seatId) =>
        State.Seats.FirstOrDefault(s => s.SeatId == seatId) ?? throw new ServiceDefaults.Errors.NotFoundException("seat", seatId);

    public WorkingGroup FindGroup(string groupId) =>
        State.Groups.FirstOrDefault(g => g.GroupId == groupId) ?? throw new ServiceDefaults.Errors.NotFoundException("working group", groupId);

    private static Tenure? CurrentTenure(Seat seat) => seat.Tenures.LastOrDefault(t => t.Until is null);

    private string NextId(string prefix) => $"{prefix}-{++State.NextSequence}";

    private static void RequireAgency(IReadOnlyDictionary<string, Agency> agencies, string agencyId, string field)
    {
        if (!agencies.ContainsKey(agencyId))
        {
            throw Refuse.Field(field, $"Agency '{agencyId}' is not registered in this committee.",
                $"Cơ quan '{agencyId}' chưa được đăng ký trong Ban Chỉ đạo.");
        }
    }

    private static void ValidateGroupMembers(IEnumerable<GroupMember> members, IReadOnlyDictionary<string, Agency> agencies)
    {
        var list = members.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            RequireAgency(agencies, list[i].AgencyId, $"members[{i}].agency_id");
        }

        var duplicate = list.GroupBy(m => m.Person.PersonId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Refuse.Field("members", $"{duplicate.Key} is listed more than once.", $"{duplicate.Key} được liệt kê nhiều lần.");
        }

        if (list.Count(m => m.Role == GroupRole.Leader) > 1)
        {
            throw Refuse.Field("members", "A group has at most one leader.", "Mỗi Tổ chỉ có một Tổ trưởng.");
        }
    }
}
