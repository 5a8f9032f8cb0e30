using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;

namespace Bcd.Gateway;

/// <summary>
/// Answers the gateway gives by itself (auth, rate limit, timeouts, unreachable service), shaped so
/// each kind of client reads them as it reads the services' own errors: gRPC and gRPC-Web get a
/// trailers-only response (HTTP 200, grpc-status in the headers, as Envoy answers local replies),
/// REST gets the HTTP status with the google.rpc.Status JSON body that JSON transcoding writes.
/// </summary>
public static class GatewayResponses
{
    public const string GrpcStatusHeader = "grpc-status";
    public const string GrpcMessageHeader = "grpc-message";

    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Writes <paramref name="code"/> as a gRPC status for gRPC requests, else <paramref name="httpStatus"/>
    /// with a JSON body. Does nothing once the response has started.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, StatusCode code, int httpStatus, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcContentType(context.Request.ContentType!);
            response.Headers[GrpcStatusHeader] = ((int)code).ToString(CultureInfo.InvariantCulture);
            response.Headers[GrpcMessageHeader] = PercentEncode(message);
            // Trailers-only: no message follows; the headers carry the status.
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        response.StatusCode = httpStatus;
        response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody((int)code, message, []));
        response.ContentLength = body.Length;
        // Not RequestAborted: after a route timeout that token is already cancelled, and the
        // explanation is what the caller most needs. A few hundred bytes cannot hang.
        return response.Body.WriteAsync(body, CancellationToken.None).AsTask();
    }

    // gRPC-Web clients check that the answer uses their own framing (binary or base64 text).
    private static string GrpcContentType(string requestContentType) =>
        requestContentType.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web-text"
        : requestContentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web"
        : "application/grpc";

    /// <summary>grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Status-Message").</summary>
    public static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("code")] int Code,
        [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message,
        [property: System.Text.Json.Serialization.JsonPropertyName("details")] object[] Details);
}
