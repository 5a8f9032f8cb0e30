using System.Net;
using System.Text;
using System.Text.Json;
using Bcd.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class LimitsTests(GatewayFixture fixture)
{
    private static readonly Method<Empty, Empty> SlowMethod = new(
        MethodType.Unary, "slow.v1.SlowService", "Wait",
        Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom),
        Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom));

    [Fact]
    public async Task BodyOverTheSizeLimitIsRefused()
    {
        using var http = Clients.Rest(fixture.Gateway, Clients.HeadToken());
        var body = "{\"name\":\"" + new string('x', 5 * 1024 * 1024) + "\"}";

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/committees/{Clients.Committee}/agencies")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        // Lets the gateway refuse before the client sends 5 MB it will not read.
        request.Headers.ExpectContinue = true;

        using var response = await http.SendAsync(request);

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.RequestEntityTooLarge, response);
        Assert.Equal((int)StatusCode.ResourceExhausted, json.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task SlowServiceTimesOutAsDeadlineExceededForGrpcAnd504ForRest()
    {
        await using var slow = await StartSlowServiceAsync();
        // A route and cluster added by configuration only, with a one-second route timeout.
        await using var gateway = await fixture.StartGatewayAsync(
            "--ReverseProxy:Routes:slow-grpc:ClusterId=slow",
            "--ReverseProxy:Routes:slow-grpc:AuthorizationPolicy=anonymous",
            "--ReverseProxy:Routes:slow-grpc:Timeout=00:00:01",
            "--ReverseProxy:Routes:slow-grpc:Match:Path=/slow.v1.SlowService/{**catch-all}",
            "--ReverseProxy:Routes:slow-rest:ClusterId=slow",
            "--ReverseProxy:Routes:slow-rest:AuthorizationPolicy=anonymous",
            "--ReverseProxy:Routes:slow-rest:Timeout=00:00:01",
            "--ReverseProxy:Routes:slow-rest:Match:Path=/api/v1/slow/{**catch-all}",
            "--ReverseProxy:Clusters:slow:HttpRequest:Version=2",
            "--ReverseProxy:Clusters:slow:HttpRequest:VersionPolicy=RequestVersionExact",
            $"--ReverseProxy:Clusters:slow:Destinations:s1:Address={slow.Address}");

        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(SlowMethod, null, new CallOptions(), new Empty()).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(8));

        using var http = Clients.Rest(gateway);
        using var response = await http.GetAsync("/api/v1/slow/wait");
        using var json = await HttpAssert.StatusAsync(HttpStatusCode.GatewayTimeout, response);
        Assert.Equal((int)StatusCode.DeadlineExceeded, json.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task UnreachableServiceIsUnavailableWithAReason()
    {
        var deadPort = FreePort.Next();
        await using var gateway = await fixture.StartGatewayAsync(
            $"--ReverseProxy:Clusters:membership:Destinations:d1:Address=http://127.0.0.1:{deadPort}");
        var client = Clients.Grpc(gateway, out var channel);
        using (channel)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetRosterAsync(
                new Contracts.Membership.V1.GetRosterRequest { CommitteeId = Clients.Committee },
                CallOptionsExtensions.Bearer(Clients.HeadToken())).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Contains("could not be reached", ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    /// <summary>A backend whose every answer takes ten seconds, on an HTTP/2 (h2c) port.</summary>
    private static async Task<SlowService> StartSlowServiceAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        return new SlowService(app, new Uri($"http://localhost:{port}"));
    }

    private sealed record SlowService(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
