using Bcd.ServiceDefaults.Errors;

namespace Bcd.ServiceDefaults.Identity;

/// <summary>A delegation as authority checks need it (M3): who may act, for what, and when.</summary>
public sealed record DelegationGrant(
    string DelegationId,
    string DelegatePersonId,
    IReadOnlySet<string> Scopes,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset at) =>
        ValidFrom <= at && at < ValidUntil && (RevokedAt is null || at < RevokedAt);
}

/// <summary>How a caller holds a power: in person, or under a delegation (recorded in history, X1).</summary>
public sealed record ActingCapacity(string PersonId, string ActingAs, string? DelegationId)
{
    public bool Delegated => DelegationId is not null;
}

/// <summary>
/// Authority checks shared by every service. The holder of a power (e.g. the Head) acts in person;
/// anyone else acts only under a delegation that covers the scope and is active at the time of the act.
/// </summary>
public static class Authority
{
    public static ActingCapacity RequirePowerOrDelegation(
        string callerPersonId,
        string? holderPersonId,
        string holderRole,
        string scope,
        IEnumerable<DelegationGrant> delegations,
        DateTimeOffset at,
        string rule)
    {
        if (holderPersonId is not null && holderPersonId == callerPersonId)
        {
            return new ActingCapacity(callerPersonId, holderRole, null);
        }

        var grant = delegations
            .Where(d => d.DelegatePersonId == callerPersonId && d.Scopes.Contains(scope) && d.IsActiveAt(at))
            .OrderByDescending(d => d.ValidFrom)
            .FirstOrDefault();
        if (grant is not null)
        {
            return new ActingCapacity(callerPersonId, $"{holderRole} (ủy quyền {grant.DelegationId})", grant.DelegationId);
        }

        throw new PermissionDeniedException(
            "NOT_HOLDER_OR_DELEGATE",
            $"Only the {holderRole} or a person under an active delegation with scope {scope} may do this.",
            $"Chỉ {VietnameseRole(holderRole)} hoặc người được ủy quyền còn hiệu lực với phạm vi {scope} mới được thực hiện việc này.",
            rule);
    }

    /// <summary>Refuses unless <paramref name="allowed"/>; the message names the role that may act.</summary>
    public static void Require(bool allowed, string reason, string message, string messageVi, string rule)
    {
        if (!allowed)
        {
            throw new PermissionDeniedException(reason, message, messageVi, rule);
        }
    }

    private static string VietnameseRole(string role) => role switch
    {
        "HEAD" => "Trưởng Ban Chỉ đạo",
        "STANDING_DEPUTY_HEAD" => "Phó Trưởng Ban Thường trực",
        "STANDING_AGENCY" => "Cơ quan thường trực",
        _ => role,
    };
}
