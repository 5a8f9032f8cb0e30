using System.Diagnostics;
using System.Net;
using Bcd.Benchmarks.Echo.V1;
using Bcd.Testing;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bcd.Benchmarks;

/// <summary>
/// bench.v1.EchoService on an HTTP/2-only Kestrel port on 127.0.0.1, in this process: the floor a
/// unary gRPC call costs here (Kestrel, HTTP/2, protobuf) with no authentication, storage or tracing.
/// </summary>
internal sealed class EchoHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<EchoHost> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = "Production",
            // A folder without appsettings.json: the copies the referenced web apps leave in this
            // project's output folder carry their Kestrel endpoints.
            ContentRootPath = Repo.Path("tests", "Bcd.Benchmarks", "Protos"),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();

        // The membership app and the gateway in this process register OpenTelemetry's ASP.NET Core
        // instrumentation, which listens to every host's "Microsoft.AspNetCore" source. Give this
        // host a source of its own that nobody listens to, so the baseline carries no tracing cost.
        builder.Services.AddSingleton(new ActivitySource("Bcd.Benchmarks.Echo.Untraced"));
        builder.Services.AddSingleton(new DiagnosticListener("Bcd.Benchmarks.Echo.Untraced"));

        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        return new EchoHost(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class EchoService : Echo.V1.EchoService.EchoServiceBase
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
            Task.FromResult(new EchoResponse { Message = request.Message });
    }
}
