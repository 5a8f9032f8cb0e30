using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Bcd.ServiceDefaults.Errors;

/// <summary>
/// For plain HTTP endpoints beside the gRPC services (e.g. an iCalendar feed): a DomainException
/// becomes the same status the gRPC error mapping gives it, as HTTP (the JSON transcoding table),
/// with the English and Vietnamese messages, so no refusal turns into a 500.
/// </summary>
public sealed class DomainErrorEndpointFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainException domain)
        {
            var rpc = ErrorMappingInterceptor.ToRpcException(domain);
            var extensions = new Dictionary<string, object?>
            {
                ["grpcStatus"] = rpc.StatusCode.ToString(),
                ["detailVi"] = domain.MessageVi,
            };
            if (domain is RuleViolationException rule)
            {
                extensions["rule"] = rule.Rule;
                extensions["reason"] = rule.Reason;
            }
            else if (domain is PermissionDeniedException denied)
            {
                extensions["reason"] = denied.Reason;
            }

            return Results.Problem(detail: domain.Message, statusCode: HttpStatusOf(rpc.StatusCode), extensions: extensions);
        }
    }

    /// <summary>google.rpc.Code → HTTP, as gRPC JSON transcoding maps it.</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
