using System.Security.Claims;
using Bcd.ServiceDefaults.Errors;
using Grpc.Core;

namespace Bcd.ServiceDefaults.Identity;

/// <summary>
/// The authenticated caller: a person, the committee they work in and the agency that employs them,
/// as the identity provider asserts. What they may do is decided from the service's own data.
/// </summary>
public sealed record Caller(
    string PersonId, string DisplayName, string? CommitteeId, string? AgencyId, string? Province, IReadOnlySet<string> Roles)
{
    public bool HasRole(string role) => Roles.Contains(role);

    public static Caller FromPrincipal(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            throw new UnauthenticatedException();
        }

        var subject = principal.FindFirstValue(BcdClaims.Subject);
        if (string.IsNullOrEmpty(subject))
        {
            throw new UnauthenticatedException();
        }

        return new Caller(
            subject,
            principal.FindFirstValue(BcdClaims.Name) ?? subject,
            principal.FindFirstValue(BcdClaims.Committee),
            principal.FindFirstValue(BcdClaims.Agency),
            principal.FindFirstValue(BcdClaims.Province),
            principal.FindAll(BcdClaims.Roles).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }
}

public static class CallerExtensions
{
    /// <summary>The caller of a gRPC call, or UNAUTHENTICATED.</summary>
    public static Caller Caller(this ServerCallContext context) => Identity.Caller.FromPrincipal(context.GetHttpContext().User);

    /// <summary>
    /// The scope a request_id is unique in (RedisStore.ExecuteOnceAsync): the RPC and the caller, so two
    /// people, or two RPCs, reusing an id never receive each other's answer.
    /// </summary>
    public static string IdempotencyScope(this ServerCallContext context, Caller caller) => $"{context.Method}:{caller.PersonId}";

    /// <summary>X1: who acted, in which capacity (and under which delegation), for which agency.</summary>
    public static Bcd.Contracts.Common.V1.Actor ToActor(this Caller caller, ActingCapacity capacity) => new()
    {
        PersonId = caller.PersonId,
        DisplayName = caller.DisplayName,
        ActingAs = capacity.ActingAs,
        DelegationId = capacity.DelegationId ?? string.Empty,
        AgencyId = caller.AgencyId ?? string.Empty,
    };
}
