using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;

namespace Bcd.Tasks.Domain;

/// <summary>
/// Who may do what with tasks (T1–T7, X4), answered from the membership projection for the day of
/// the act: the Head and the Deputy Heads assign (in their own right, or under a delegation of the
/// Head), the lead agency reports, the assigning authority decides deadline changes, the Standing
/// Agency coordinates (reporting periods, criteria, scoring, proposals) and the Head decides proposals.
/// </summary>
public static class TaskAuthority
{
    /// <summary>
    /// T1 "rõ thẩm quyền": the caller may assign, and the directive names the caller as they act. The
    /// capacity is the caller's own seat (Head, Standing Deputy Head, Deputy Head), or a delegation of
    /// the Head active now and granted to the caller.
    /// </summary>
    public static ActingCapacity RequireAssigner(this CommitteeView view, Caller caller, AssigningAuthority? named, string path, DateTimeOffset at)
    {
        var day = ProvinceTime.DateOf(at);
        var seat = view.SeatOf(caller.PersonId, day);
        if (seat?.Role is not (Role.Head or Role.StandingDeputyHead or Role.DeputyHead))
        {
            throw new PermissionDeniedException("NOT_ASSIGNING_AUTHORITY",
                "Only the Head, the Standing Deputy Head or a Deputy Head may assign tasks.",
                "Chỉ Trưởng Ban, Phó Trưởng Ban Thường trực hoặc Phó Trưởng Ban mới được giao nhiệm vụ.", "T1");
        }

        var capacity = new ActingCapacity(caller.PersonId, seat.Role.Code(), null);
        if (named is { DelegationId.Length: > 0 })
        {
            var grant = view.Delegations.FirstOrDefault(d => d.DelegationId == named.DelegationId);
            if (grant is null || grant.DelegatePersonId != caller.PersonId || !grant.IsActiveAt(at))
            {
                throw new InvalidArgumentException(path + ".delegation_id",
                    $"Delegation '{named.DelegationId}' is not active for the caller now.",
                    $"Ủy quyền '{named.DelegationId}' không còn hiệu lực đối với người giao.");
            }

            capacity = capacity with { DelegationId = named.DelegationId };
        }

        var violations = new List<FieldViolation>();
        if (named is not null && named.PersonId != caller.PersonId)
        {
            violations.Add(new FieldViolation(path + ".person_id",
                $"The assigning authority must be the caller ({caller.PersonId}).",
                $"Thẩm quyền giao nhiệm vụ phải là người giao ({caller.PersonId})."));
        }

        if (named is not null && named.ActingAs != capacity.ActingAs)
        {
            violations.Add(new FieldViolation(path + ".acting_as",
                $"The caller acts as {capacity.ActingAs}.",
                $"Người giao giữ cương vị {capacity.ActingAs}."));
        }

        return violations.Count > 0 ? throw new InvalidArgumentException(violations) : capacity;
    }

    /// <summary>
    /// T3: the assigning authority decides a deadline change: the person who assigned, or whoever
    /// holds the same leading seat today (a Head replaced since keeps the task's authority in the office).
    /// </summary>
    public static ActingCapacity RequireAssigningAuthority(this CommitteeView view, Caller caller, AssigningAuthority authority, DateTimeOffset at)
    {
        var day = ProvinceTime.DateOf(at);
        var seat = view.SeatOf(caller.PersonId, day);
        if (caller.PersonId == authority.PersonId)
        {
            return new ActingCapacity(caller.PersonId, seat?.Role.Code() ?? authority.ActingAs, null);
        }

        if (seat is not null && seat.Role is Role.Head or Role.StandingDeputyHead && seat.Role.Code() == authority.ActingAs)
        {
            return new ActingCapacity(caller.PersonId, seat.Role.Code(), null);
        }

        throw new PermissionDeniedException("NOT_ASSIGNING_AUTHORITY",
            $"Only the authority that assigned the task ({authority.PersonId}, {authority.ActingAs}) or the holder of that office may decide.",
            $"Chỉ người có thẩm quyền đã giao nhiệm vụ ({authority.PersonId}, {authority.ActingAs}) hoặc người đang giữ cương vị đó mới được quyết định.", "T3");
    }

    /// <summary>Staff of <paramref name="agencyId"/>, as the identity provider asserts the caller's agency.</summary>
    public static bool WorksFor(this Caller caller, string agencyId) => !string.IsNullOrEmpty(caller.AgencyId) && caller.AgencyId == agencyId;

    /// <summary>X4: the Standing Agency (Công an tỉnh) coordinates; its staff act as STANDING_AGENCY.</summary>
    public static ActingCapacity RequireStandingAgency(this CommitteeView view, Caller caller, string rule)
    {
        Authority.Require(caller.WorksFor(view.StandingAgencyId), "NOT_STANDING_AGENCY",
            "Only the Standing Agency may do this.", "Chỉ Cơ quan thường trực mới được thực hiện việc này.", rule);
        return new ActingCapacity(caller.PersonId, "STANDING_AGENCY", null);
    }

    /// <summary>T7: only the Head decides commendation and discipline.</summary>
    public static ActingCapacity RequireHead(this CommitteeView view, Caller caller, DateTimeOffset at, string rule)
    {
        var head = view.HolderOfRole(Role.Head, ProvinceTime.DateOf(at));
        Authority.Require(head?.PersonId == caller.PersonId, "NOT_HEAD",
            "Only the Head of the committee may decide this.", "Chỉ Trưởng Ban Chỉ đạo mới được quyết định việc này.", rule);
        return new ActingCapacity(caller.PersonId, "HEAD", null);
    }
}
