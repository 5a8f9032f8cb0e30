using Bcd.Testing;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// The Dapr runtime's gRPC PublishEvent, bound by hand (Dapr.Client ships only the client side):
/// what the app's DaprClient sends is what the real sidecar would receive.
/// </summary>
[BindServiceMethod(typeof(FakeDaprSidecar), nameof(BindService))]
public class FakeDaprSidecar
{
    private static readonly Method<PublishEventRequest, Empty> PublishEventMethod = new(
        MethodType.Unary,
        Dapr.Client.Autogen.Grpc.v1.Dapr.Descriptor.FullName,
        "PublishEvent",
        Marshallers.Create(m => m.ToByteArray(), PublishEventRequest.Parser.ParseFrom),
        Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom));

    private readonly List<PublishEventRequest> _published = [];
    private readonly List<string?> _apiTokens = [];

    public IReadOnlyList<PublishEventRequest> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    /// <summary>The dapr-api-token metadata of each PublishEvent call (null when absent), as daprd checks it.</summary>
    public IReadOnlyList<string?> ApiTokens
    {
        get
        {
            lock (_published)
            {
                return [.. _apiTokens];
            }
        }
    }

    public static void BindService(ServiceBinderBase binder, FakeDaprSidecar? impl) =>
        binder.AddMethod(PublishEventMethod, impl is null ? null : new UnaryServerMethod<PublishEventRequest, Empty>(impl.PublishEvent));

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        lock (_published)
        {
            _published.Add(request);
            _apiTokens.Add(context.RequestHeaders.GetValue("dapr-api-token"));
        }

        return Task.FromResult(new Empty());
    }
}

/// <summary>Hosts a <see cref="FakeDaprSidecar"/> on an HTTP/2 loopback port, as daprd listens for the app.</summary>
public sealed class FakeDaprSidecarHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDaprSidecarHost(WebApplication app, int port, FakeDaprSidecar sidecar)
    {
        _app = app;
        GrpcEndpoint = $"http://127.0.0.1:{port}";
        Sidecar = sidecar;
    }

    public string GrpcEndpoint { get; }

    public FakeDaprSidecar Sidecar { get; }

    public static async Task<FakeDaprSidecarHost> StartAsync()
    {
        var port = FreePort.Next();
        var sidecar = new FakeDaprSidecar();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}",
                "--Kestrel:Endpoints:Grpc:Protocols=Http2",
                "--Logging:LogLevel:Default=Warning",
            ],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(sidecar);
        var app = builder.Build();
        app.MapGrpcService<FakeDaprSidecar>();
        await app.StartAsync();
        return new FakeDaprSidecarHost(app, port, sidecar);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
