using Bcd.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Bcd.Gateway;

/// <summary>Authorization policies that routes name in their AuthorizationPolicy.</summary>
public static class GatewayPolicies
{
    /// <summary>
    /// A person of some committee, or a Provincial People's Committee chairman (who founds one and so
    /// has no committee yet). Which acts they may take is for the service to decide.
    /// </summary>
    public const string CommitteeMember = "committee-member";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(CommitteeMember, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context =>
                context.User.HasClaim(c => c.Type == BcdClaims.Committee && !string.IsNullOrWhiteSpace(c.Value)) ||
                context.User.HasClaim(BcdClaims.Roles, BcdClaims.ProvinceChairmanRole)));

        // A route added to configuration without an AuthorizationPolicy still requires a valid token;
        // public routes say "anonymous" explicitly.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}

/// <summary>
/// Lets the default handler challenge (401, WWW-Authenticate) or forbid (403), then words the refusal
/// for the client: grpc-status UNAUTHENTICATED / PERMISSION_DENIED for gRPC, a JSON status for REST.
/// </summary>
public sealed class GatewayAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await _default.HandleAsync(next, context, policy, authorizeResult);
        if (authorizeResult.Challenged)
        {
            await GatewayResponses.WriteErrorAsync(context, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized,
                "The gateway requires a valid bearer token.");
        }
        else if (authorizeResult.Forbidden)
        {
            await GatewayResponses.WriteErrorAsync(context, StatusCode.PermissionDenied, StatusCodes.Status403Forbidden,
                "The gateway refused the call: the token does not meet this route's access policy (a committee member's token is required).");
        }
    }
}
