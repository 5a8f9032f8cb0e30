using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Status = Google.Rpc.Status;

namespace Bcd.ServiceDefaults.Errors;

/// <summary>
/// The one place where domain errors become gRPC statuses with details (ARCHITECTURE §4).
/// Anything unexpected becomes INTERNAL (never UNKNOWN) and is logged with its stack.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public const string ErrorDomain = "bcd.gov.vn";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception ex, ServerCallContext context)
    {
        if (ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "The call was cancelled."));
        }

        if (ex is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException)
        {
            // The store is out of reach: nothing was decided, and the client may retry later.
            LogStoreUnavailable(logger, ex, context.Method);
            var status = new Status { Code = (int)Code.Unavailable, Message = "The service's store is unavailable; retry later." };
            status.Details.Add(Any.Pack(new ErrorInfo { Reason = "STORE_UNAVAILABLE", Domain = ErrorDomain }));
            status.Details.Add(Any.Pack(new LocalizedMessage { Locale = "vi-VN", Message = "Kho dữ liệu của dịch vụ tạm thời không truy cập được; vui lòng thử lại sau." }));
            return status.ToRpcException();
        }

        if (ex is not DomainException domain)
        {
            LogUnexpected(logger, ex, context.Method);
            return ToRpcException(Code.Internal, "An internal error occurred.", "Đã xảy ra lỗi nội bộ.");
        }

        LogDomainError(logger, context.Method, ex.GetType().Name, ex.Message);
        return ToRpcException(domain);
    }

    /// <summary>Builds the status for a domain error; public so non-gRPC endpoints (Dapr routes) can reuse it.</summary>
    public static RpcException ToRpcException(DomainException domain)
    {
        return domain switch
        {
            InvalidArgumentException e => Build(Code.InvalidArgument, e, new BadRequest
            {
                FieldViolations =
                {
                    e.Violations.Select(v => new BadRequest.Types.FieldViolation
                    {
                        Field = v.Field,
                        Description = v.Description,
                        LocalizedMessage = new LocalizedMessage { Locale = "vi-VN", Message = v.DescriptionVi },
                    }),
                },
            }),
            RuleViolationException e => Build(Code.FailedPrecondition, e, ErrorInfo(e.Reason, e.Metadata, e.Rule)),
            PermissionDeniedException e => Build(Code.PermissionDenied, e, ErrorInfo(e.Reason, null, e.Rule)),
            NotFoundException e => Build(Code.NotFound, e, new ResourceInfo
            {
                ResourceType = e.ResourceType,
                ResourceName = e.ResourceName,
                Description = e.Message,
            }),
            AlreadyExistsException e => Build(Code.AlreadyExists, e, new ResourceInfo
            {
                ResourceType = e.ResourceType,
                ResourceName = e.ResourceName,
                Description = e.Message,
            }),
            ConcurrencyConflictException e => Build(Code.Aborted, e, ErrorInfo("CONCURRENT_UPDATE", new Dictionary<string, string> { ["key"] = e.Key }, null)),
            UnauthenticatedException e => Build(Code.Unauthenticated, e, ErrorInfo("UNAUTHENTICATED", null, null)),
            _ => ToRpcException(Code.Internal, domain.Message, domain.MessageVi),
        };
    }

    private static ErrorInfo ErrorInfo(string reason, IReadOnlyDictionary<string, string>? metadata, string? rule)
    {
        var info = new ErrorInfo { Reason = reason, Domain = ErrorDomain };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                info.Metadata[key] = value;
            }
        }

        if (rule is not null)
        {
            info.Metadata["rule"] = rule;
        }

        return info;
    }

    private static RpcException Build(Code code, DomainException e, Google.Protobuf.IMessage detail)
    {
        var status = new Status { Code = (int)code, Message = e.Message };
        status.Details.Add(Any.Pack(detail));
        status.Details.Add(Any.Pack(new LocalizedMessage { Locale = "vi-VN", Message = e.MessageVi }));
        return status.ToRpcException();
    }

    private static RpcException ToRpcException(Code code, string message, string messageVi)
    {
        var status = new Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new LocalizedMessage { Locale = "vi-VN", Message = messageVi }));
        return status.ToRpcException();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable during {Method}")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception ex, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error in {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception ex, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} refused with {ErrorKind}: {Detail}")]
    private static partial void LogDomainError(ILogger logger, string method, string errorKind, string detail);
}
