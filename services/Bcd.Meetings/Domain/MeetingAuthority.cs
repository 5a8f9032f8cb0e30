using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Time;

namespace Bcd.Meetings.Domain;

/// <summary>
/// The questions G1–G4 ask of the membership projection. Everything is answered for the day (or
/// instant) of the act: a person appointed tomorrow or a delegation granted for next week counts
/// only from then.
/// </summary>
public static class MeetingAuthority
{
    public const string Head = RoleCodes.Head;
    public const string StandingDeputyHead = RoleCodes.StandingDeputyHead;
    public const string DeputyHead = RoleCodes.DeputyHead;
    public const string Member = RoleCodes.Member;
    public const string GroupLeader = "GROUP_LEADER";
    public const string StandingAgency = "STANDING_AGENCY";
    public const string AgencyRepresentative = "AGENCY_REPRESENTATIVE";

    public static string? HeadOn(this CommitteeView view, DateTimeOffset at) =>
        view.HolderOfRole(Role.Head, ProvinceTime.DateOf(at))?.PersonId;

    /// <summary>
    /// M3 lets the Head authorise the Standing Deputy Head or a Deputy Head: a delegation counts only
    /// while its delegate holds such a seat on the day of the act (its own window is checked by the grant).
    /// </summary>
    public static IEnumerable<DelegationGrant> EffectiveGrants(this CommitteeView view, DateTimeOffset at)
    {
        var day = ProvinceTime.DateOf(at);
        return view.Delegations
            .Where(d => view.SeatOf(d.DelegatePersonId, day)?.Role is Role.DeputyHead or Role.StandingDeputyHead)
            .Select(d => d.ToGrant());
    }

    /// <summary>
    /// The Head in person, or a deputy under an active delegation with <paramref name="scope"/>. The
    /// capacity names the delegate's own seat role with the delegation id, as directives record it.
    /// </summary>
    public static ActingCapacity RequireHeadOrDelegate(this CommitteeView view, string personId, DelegationScope scope, DateTimeOffset at, string rule)
    {
        var capacity = Authority.RequirePowerOrDelegation(
            personId, view.HeadOn(at), Head, scope.ToString(), view.EffectiveGrants(at), at, rule);
        return capacity.Delegated
            ? capacity with { ActingAs = view.SeatOf(personId, ProvinceTime.DateOf(at))!.Role.Code() }
            : capacity;
    }

    /// <summary>Whether <paramref name="personId"/> could act as Head or delegate for <paramref name="scope"/> at <paramref name="at"/>.</summary>
    public static bool IsHeadOrDelegate(this CommitteeView view, string personId, DelegationScope scope, DateTimeOffset at) =>
        view.HeadOn(at) == personId ||
        view.EffectiveGrants(at).Any(g => g.DelegatePersonId == personId && g.Scopes.Contains(scope.ToString()) && g.IsActiveAt(at));

    public static bool IsLeaderOf(this CommitteeView view, string groupId, string personId) =>
        view.Group(groupId)?.Members.Any(m => m.Role == GroupRole.Leader && m.PersonId == personId) == true;

    /// <summary>Staff of the committee's Standing Agency (Điều 9), as the identity provider asserts their agency.</summary>
    public static bool IsStandingAgencyStaff(this CommitteeView view, Caller caller) =>
        caller.CommitteeId == view.CommitteeId && !string.IsNullOrEmpty(caller.AgencyId) && caller.AgencyId == view.StandingAgencyId;

}

/// <summary>Refusals of the meetings rules (G1–G6), each naming its rule, in English and Vietnamese.</summary>
internal static class MeetingRefusals
{
    public static RuleViolationException Rule(string rule, string reason, string en, string vi, params (string Key, string Value)[] metadata) =>
        new(rule, reason, en, vi, metadata.ToDictionary(m => m.Key, m => m.Value));

    public static InvalidArgumentException Field(string field, string en, string vi) => new(field, en, vi);

    public static PermissionDeniedException Permission(string rule, string reason, string en, string vi) => new(reason, en, vi, rule);
}
