using Bcd.ServiceDefaults.Validation;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bcd.ServiceDefaults.Errors;

/// <summary>
/// Applies the field rules declared in the .proto files to every request before the service sees it,
/// so one definition of "valid" serves every service and every client.
/// </summary>
public sealed class ValidationInterceptor(RequestValidator validator) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request);
        return continuation(request, responseStream, context);
    }

    private void Validate(object request)
    {
        if (request is IMessage message)
        {
            validator.ValidateOrThrow(message);
        }
    }
}
