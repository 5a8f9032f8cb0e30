using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Status = Google.Rpc.Status;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>ARCHITECTURE §4: each domain error becomes one status with its details; nothing becomes UNKNOWN.</summary>
public sealed class ErrorMappingTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly ErrorMappingInterceptor Interceptor = new(NullLogger<ErrorMappingInterceptor>.Instance);

    [Fact]
    public void InvalidArgumentCarriesBadRequestFieldViolationsWithVietnameseMessages()
    {
        var status = Details(ErrorMappingInterceptor.ToRpcException(new InvalidArgumentException(
        [
            new FieldViolation("decision.number", "must not be empty", "Số quyết định là bắt buộc."),
            new FieldViolation("agency_id", "bad pattern", "Mã cơ quan không đúng định dạng."),
        ])), StatusCode.InvalidArgument);

        var badRequest = Single<BadRequest>(status);
        Assert.Equal(["decision.number", "agency_id"], badRequest.FieldViolations.Select(v => v.Field));
        Assert.All(badRequest.FieldViolations, v => Assert.Equal("vi-VN", v.LocalizedMessage.Locale));
        Assert.Equal("Số quyết định là bắt buộc.", badRequest.FieldViolations[0].LocalizedMessage.Message);
        Assert.Contains("Số quyết định là bắt buộc.", VietnameseMessage(status));
    }

    [Fact]
    public void RuleViolationIsFailedPreconditionWithErrorInfoAndVietnameseMessage()
    {
        var status = Details(ErrorMappingInterceptor.ToRpcException(new RuleViolationException(
            "M2", "ABSENCE_CUTOFF_PASSED", "Absence requests close one day before the meeting.",
            "Đơn xin vắng mặt phải gửi trước cuộc họp một ngày.", new Dictionary<string, string> { ["meeting"] = "m1" })),
            StatusCode.FailedPrecondition);

        var info = Single<ErrorInfo>(status);
        Assert.Equal("ABSENCE_CUTOFF_PASSED", info.Reason);
        Assert.Equal("bcd.gov.vn", info.Domain);
        Assert.Equal("M2", info.Metadata["rule"]);
        Assert.Equal("m1", info.Metadata["meeting"]);
        Assert.Equal("[M2] Đơn xin vắng mặt phải gửi trước cuộc họp một ngày.", VietnameseMessage(status));
    }

    [Fact]
    public void PermissionDeniedCarriesErrorInfoAndVietnameseMessage()
    {
        var status = Details(ErrorMappingInterceptor.ToRpcException(new PermissionDeniedException(
            "NOT_CONVENER", "Only the chair convenes.", "Chỉ Trưởng ban được triệu tập.", "M1")), StatusCode.PermissionDenied);

        var info = Single<ErrorInfo>(status);
        Assert.Equal(("NOT_CONVENER", "bcd.gov.vn", "M1"), (info.Reason, info.Domain, info.Metadata["rule"]));
        Assert.Equal("[M1] Chỉ Trưởng ban được triệu tập.", VietnameseMessage(status));
    }

    [Fact]
    public void NotFoundAndAlreadyExistsNameTheResource()
    {
        var notFound = Single<ResourceInfo>(Details(
            ErrorMappingInterceptor.ToRpcException(new NotFoundException("committee", "bac-ninh")), StatusCode.NotFound));
        Assert.Equal(("committee", "bac-ninh"), (notFound.ResourceType, notFound.ResourceName));

        var exists = Details(ErrorMappingInterceptor.ToRpcException(new AlreadyExistsException("agency", "so-tc")), StatusCode.AlreadyExists);
        Assert.Equal(("agency", "so-tc"), (Single<ResourceInfo>(exists).ResourceType, Single<ResourceInfo>(exists).ResourceName));
        Assert.Equal("agency 'so-tc' đã tồn tại.", VietnameseMessage(exists));
    }

    [Fact]
    public void ConcurrencyConflictIsAbortedWithErrorInfo()
    {
        var status = Details(ErrorMappingInterceptor.ToRpcException(new ConcurrencyConflictException("membership:committee:c1")), StatusCode.Aborted);
        var info = Single<ErrorInfo>(status);
        Assert.Equal(("CONCURRENT_UPDATE", "bcd.gov.vn", "membership:committee:c1"), (info.Reason, info.Domain, info.Metadata["key"]));
        Assert.False(string.IsNullOrEmpty(VietnameseMessage(status)));
    }

    [Fact]
    public void MissingIdentityIsUnauthenticated()
    {
        var status = Details(ErrorMappingInterceptor.ToRpcException(new UnauthenticatedException()), StatusCode.Unauthenticated);
        Assert.Equal(("UNAUTHENTICATED", "bcd.gov.vn"), (Single<ErrorInfo>(status).Reason, Single<ErrorInfo>(status).Domain));
    }

    [Fact]
    public async Task InterceptorMapsADomainErrorThrownByTheService()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Interceptor.UnaryServerHandler<Empty, Empty>(
            new Empty(), new FakeServerCallContext(), async (_, _) =>
            {
                await Task.Yield();
                throw new RuleViolationException("T1", "TASK_NOT_CLEAR", "A task needs a clear outcome.", "Nhiệm vụ phải rõ kết quả.");
            }));
        Assert.Equal("TASK_NOT_CLEAR", Single<ErrorInfo>(Details(ex, StatusCode.FailedPrecondition)).Reason);
    }

    [Theory]
    [InlineData("async")]
    [InlineData("sync")]
    [InlineData("null-reference")]
    [InlineData("cancelled-without-the-caller")]
    public async Task UnexpectedExceptionIsInternalNeverUnknown(string kind)
    {
        UnaryServerMethod<Empty, Empty> continuation = kind switch
        {
            "async" => async (_, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("secret connection string in here");
            },
            "sync" => (_, _) => throw new InvalidOperationException("secret connection string in here"),
            "null-reference" => (_, _) => Task.FromException<Empty>(new NullReferenceException()),
            _ => (_, _) => throw new OperationCanceledException(),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Interceptor.UnaryServerHandler(new Empty(), new FakeServerCallContext(), continuation));

        var status = Details(ex, StatusCode.Internal);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("Đã xảy ra lỗi nội bộ.", VietnameseMessage(status));
    }

    [Fact]
    public async Task UnreachableStoreIsUnavailableSoClientsRetry()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Interceptor.UnaryServerHandler<Empty, Empty>(
            new Empty(), new FakeServerCallContext(), (_, _) =>
                throw new StackExchange.Redis.RedisTimeoutException(StackExchange.Redis.CommandFlags.None, "no redis", StackExchange.Redis.CommandStatus.Sent)));

        var status = Details(ex, StatusCode.Unavailable);
        Assert.Equal("STORE_UNAVAILABLE", Single<ErrorInfo>(status).Reason);
        Assert.Equal("vi-VN", Single<LocalizedMessage>(status).Locale);
        Assert.DoesNotContain("no redis", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamingHandlersMapUnexpectedExceptionsToInternalToo()
    {
        var context = new FakeServerCallContext();
        var serverStreaming = await Assert.ThrowsAsync<RpcException>(() => Interceptor.ServerStreamingServerHandler<Empty, Empty>(
            new Empty(), null!, context, (_, _, _) => throw new InvalidOperationException("boom")));
        Assert.Equal(StatusCode.Internal, serverStreaming.StatusCode);

        var clientStreaming = await Assert.ThrowsAsync<RpcException>(() => Interceptor.ClientStreamingServerHandler<Empty, Empty>(
            null!, context, (_, _) => throw new NotFoundException("meeting", "m1")));
        Assert.Equal(StatusCode.NotFound, clientStreaming.StatusCode);

        var duplex = await Assert.ThrowsAsync<RpcException>(() => Interceptor.DuplexStreamingServerHandler<Empty, Empty>(
            null!, null!, context, (_, _, _) => throw new InvalidOperationException("boom")));
        Assert.Equal(StatusCode.Internal, duplex.StatusCode);
    }

    [Fact]
    public async Task CancellationByTheCallerIsCancelledAndRpcExceptionsPassThrough()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<RpcException>(() => Interceptor.UnaryServerHandler<Empty, Empty>(
            new Empty(), new FakeServerCallContext(cts.Token), (_, ctx) => Task.FromCanceled<Empty>(ctx.CancellationToken)));
        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);

        var original = new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, "slow down"));
        var passed = await Assert.ThrowsAsync<RpcException>(() => Interceptor.UnaryServerHandler<Empty, Empty>(
            new Empty(), new FakeServerCallContext(), (_, _) => throw original));
        Assert.Same(original, passed);
    }

    [Fact]
    public async Task OverRealGrpcUnexpectedErrorsAreInternalAndDomainErrorsKeepTheirDetails()
    {
        await using var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, "svc-err", _ => { }, grpc: true,
            map: app => app.MapGrpcService<ThrowingMembershipService>());
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress!);
        var client = new MembershipService.MembershipServiceClient(channel);

        var unexpected = await Assert.ThrowsAsync<RpcException>(async () => await client.GetCommitteeAsync(new GetCommitteeRequest { CommitteeId = "boom" }));
        Assert.Equal(StatusCode.Internal, unexpected.StatusCode);
        Assert.Equal("vi-VN", Single<LocalizedMessage>(Details(unexpected, StatusCode.Internal)).Locale);

        var rule = await Assert.ThrowsAsync<RpcException>(async () => await client.GetCommitteeAsync(new GetCommitteeRequest { CommitteeId = "rule" }));
        var info = Single<ErrorInfo>(Details(rule, StatusCode.FailedPrecondition));
        Assert.Equal(("ABSENCE_CUTOFF_PASSED", "bcd.gov.vn"), (info.Reason, info.Domain));

        // Field rules from the .proto run first; their violation is mapped too, naming the field.
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await client.GetCommitteeAsync(new GetCommitteeRequest()));
        Assert.Equal(["committee_id"], Single<BadRequest>(Details(invalid, StatusCode.InvalidArgument)).FieldViolations.Select(v => v.Field));
        Assert.Equal(0, ThrowingMembershipService.CallsWithEmptyId);
    }

    private static Status Details(RpcException ex, StatusCode expected)
    {
        Assert.Equal(expected, ex.StatusCode);
        Assert.NotEqual(StatusCode.Unknown, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)expected, status.Code);
        return status;
    }

    private static T Single<T>(Status status) where T : IMessage<T>, new()
    {
        var descriptor = new T().Descriptor;
        return Assert.Single(status.Details, d => d.Is(descriptor)).Unpack<T>();
    }

    private static string VietnameseMessage(Status status)
    {
        var localized = Assert.Single(status.Details, d => d.Is(LocalizedMessage.Descriptor)).Unpack<LocalizedMessage>();
        Assert.Equal("vi-VN", localized.Locale);
        return localized.Message;
    }
}

/// <summary>A gRPC service whose handler fails in the ways real handlers do.</summary>
public sealed class ThrowingMembershipService : MembershipService.MembershipServiceBase
{
    private static int _callsWithEmptyId;

    public static int CallsWithEmptyId => Volatile.Read(ref _callsWithEmptyId);

    public override Task<GetCommitteeResponse> GetCommittee(GetCommitteeRequest request, ServerCallContext context)
    {
        if (request.CommitteeId.Length == 0)
        {
            Interlocked.Increment(ref _callsWithEmptyId);
        }

        return request.CommitteeId switch
        {
            "rule" => throw new RuleViolationException("M2", "ABSENCE_CUTOFF_PASSED", "Too late.", "Quá hạn."),
            _ => throw new InvalidOperationException("unexpected"),
        };
    }
}

/// <summary>Enough of a server call for the interceptor: method name and cancellation.</summary>
public sealed class FakeServerCallContext(CancellationToken cancellationToken = default) : ServerCallContext
{
    protected override string MethodCore => "/bcd.test.v1.TestService/Do";

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:127.0.0.1:50000";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Grpc.Core.Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
