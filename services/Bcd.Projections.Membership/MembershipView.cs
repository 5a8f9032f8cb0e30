using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.Identity;

namespace Bcd.Projections.Membership;

// A service's own read model of a committee's membership, built only from membership events
// (MembershipProjection) and used for every authority check. Plain data plus the questions the
// rules ask of it; no I/O.

/// <summary>Where the projection reads one committee from (Redis in the service, in memory in unit tests).</summary>
public interface IMembershipView
{
    Task<CommitteeView?> GetCommitteeAsync(string committeeId, CancellationToken ct = default);
}

public static class MembershipViewExtensions
{
    /// <summary>
    /// The committee a caller acts in (X4: only their own), as the projection knows it; NOT_FOUND
    /// while its CommitteeCreated has not arrived.
    /// </summary>
    public static async Task<CommitteeView> RequireCommitteeAsync(this IMembershipView membership, Caller caller, string committeeId, CancellationToken ct)
    {
        Authority.Require(caller.CommitteeId == committeeId, "OTHER_COMMITTEE",
            $"The caller does not work in committee '{committeeId}'.",
            $"Người gọi không thuộc Ban Chỉ đạo '{committeeId}'.", "X4");
        return await membership.GetCommitteeAsync(committeeId, ct)
            ?? throw new Bcd.ServiceDefaults.Errors.NotFoundException("committee", committeeId);
    }
}

/// <summary>How a seat's role is written in actors and assigning authorities (directive.proto's acting_as).</summary>
public static class RoleCodes
{
    public const string Head = "HEAD";
    public const string StandingDeputyHead = "STANDING_DEPUTY_HEAD";
    public const string DeputyHead = "DEPUTY_HEAD";
    public const string Member = "MEMBER";

    public static string Code(this Role role) => role switch
    {
        Role.Head => Head,
        Role.StandingDeputyHead => StandingDeputyHead,
        Role.DeputyHead => DeputyHead,
        _ => Member,
    };
}

public sealed record AgencyView(string AgencyId, string Name);

/// <summary>One holder of a seat over a span of days. Until is the last day held, inclusive (membership's Until − 1 day); null while current.</summary>
public sealed record TenureView(string PersonId, string FullName, DateOnly From, DateOnly? Until)
{
    public bool CoversDay(DateOnly day) => From <= day && (Until is null || day <= Until);
}

public sealed record SeatView(
    string SeatId,
    string Title,
    Role Role,
    string AgencyId,
    DateOnly CreatedOn,
    DateOnly? RemovedOn,
    IReadOnlyList<TenureView> Tenures)
{
    public bool ExistsOn(DateOnly day) => CreatedOn <= day && (RemovedOn is null || day < RemovedOn);

    /// <summary>Who holds the seat on <paramref name="day"/>, if anyone.</summary>
    public TenureView? HolderOn(DateOnly day) => ExistsOn(day) ? Tenures.LastOrDefault(t => t.CoversDay(day)) : null;
}

public sealed record DelegationView(
    string DelegationId,
    string DelegatorPersonId,
    string DelegatePersonId,
    string DelegateSeatId,
    IReadOnlySet<DelegationScope> Scopes,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset at) => ValidFrom <= at && at < ValidUntil && (RevokedAt is null || at < RevokedAt);

    /// <summary>The shape the shared authority check (ServiceDefaults Authority) takes.</summary>
    public DelegationGrant ToGrant() => new(
        DelegationId, DelegatePersonId, Scopes.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal), ValidFrom, ValidUntil, RevokedAt);
}

public sealed record GroupMemberView(string PersonId, string FullName, string AgencyId, GroupRole Role);

public sealed record GroupView(string GroupId, string Code, string Name, GroupKind Kind, string LeadAgencyId, IReadOnlyList<GroupMemberView> Members);

/// <summary>A committee as the subscribing service knows it from membership events.</summary>
public sealed record CommitteeView(
    string CommitteeId,
    string Name,
    string StandingAgencyId,
    IReadOnlyDictionary<string, AgencyView> Agencies,
    IReadOnlyList<SeatView> Seats,
    IReadOnlyList<DelegationView> Delegations,
    IReadOnlyList<GroupView> Groups)
{
    /// <summary>Seats that exist on <paramref name="day"/> with their holders (vacant seats have none).</summary>
    public IEnumerable<(SeatView Seat, TenureView? Holder)> RosterOn(DateOnly day) =>
        Seats.Where(s => s.ExistsOn(day)).Select(s => (s, s.HolderOn(day)));

    /// <summary>The seat <paramref name="personId"/> holds on <paramref name="day"/>, if any.</summary>
    public SeatView? SeatOf(string personId, DateOnly day) =>
        Seats.FirstOrDefault(s => s.HolderOn(day)?.PersonId == personId);

    /// <summary>The holder of the seat with <paramref name="role"/> on <paramref name="day"/> (the Head, the Standing Deputy Head).</summary>
    public TenureView? HolderOfRole(Role role, DateOnly day) =>
        Seats.Where(s => s.Role == role).Select(s => s.HolderOn(day)).FirstOrDefault(h => h is not null);

    public GroupView? Group(string groupId) => Groups.FirstOrDefault(g => g.GroupId == groupId);
}
