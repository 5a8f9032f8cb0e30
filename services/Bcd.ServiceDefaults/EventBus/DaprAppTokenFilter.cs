using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>
/// Admits only the app's own Dapr sidecar: with dapr.io/app-token-secret set, the injector gives the app
/// APP_API_TOKEN and the sidecar sends it as dapr-api-token on every call. Without this check anything that
/// reaches the pod could post forged events to the subscription routes.
/// Dapr.AspNetCore's own handler (AuthenticationBuilder.AddDapr) is not used: it compares with string
/// equality, which leaks the token through timing, and would need a second scheme beside the JWT default.
/// </summary>
public sealed partial class DaprAppTokenFilter(string token, ILogger logger) : IEndpointFilter
{
    public const string HeaderName = "dapr-api-token";

    // Digests have a fixed length, so the comparison does not reveal the token's length either.
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[HeaderName];
        if (presented.Count != 1 || !Matches(presented[0]))
        {
            LogRejected(logger, context.HttpContext.Request.Path);
            return Results.Unauthorized();
        }

        return await next(context);
    }

    private bool Matches(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a call to {Path} without the Dapr app API token")]
    private static partial void LogRejected(ILogger logger, PathString path);
}
