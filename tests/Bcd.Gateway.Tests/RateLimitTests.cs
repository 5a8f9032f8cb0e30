using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bcd.Contracts.Membership.V1;
using Bcd.Testing;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class RateLimitTests(GatewayFixture fixture)
{
    private const int Limit = 5;

    [Fact]
    public async Task RestCallerOverTheLimitGets429WithRetryAfter()
    {
        await using var gateway = await StartLimitedGatewayAsync();
        using var http = Clients.Rest(gateway, TestTokens.For("rest-caller", committee: Clients.Committee));

        for (var i = 0; i < Limit; i++)
        {
            using var ok = await http.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await http.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, limited);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal((int)StatusCode.ResourceExhausted, json.RootElement.GetProperty("code").GetInt32());

        // The limit is per caller: another person still gets through.
        using var other = Clients.Rest(gateway, TestTokens.For("other-caller", committee: Clients.Committee));
        using var otherResponse = await other.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");
        Assert.Equal(HttpStatusCode.OK, otherResponse.StatusCode);
    }

    [Fact]
    public async Task GrpcCallerOverTheLimitGetsResourceExhausted()
    {
        await using var gateway = await StartLimitedGatewayAsync();
        var token = TestTokens.For("grpc-caller", committee: Clients.Committee);
        var client = Clients.Grpc(gateway, out var channel);
        using (channel)
        {
            var ex = await ExhaustAsync(client, token);
            Assert.Contains("Too many requests", ex.Status.Detail, StringComparison.Ordinal);
        }

        // On the wire: a trailers-only gRPC answer, HTTP 200 with grpc-status 8 (not a bare 429).
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.GrpcAddress, "/bcd.membership.v1.MembershipService/GetRoster"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = GrpcFrame(new GetRosterRequest { CommitteeId = Clients.Committee }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var raw = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("8", Assert.Single(raw.Headers.GetValues("grpc-status")));
    }

    [Fact]
    public async Task GrpcWebCallerOverTheLimitGetsResourceExhausted()
    {
        await using var gateway = await StartLimitedGatewayAsync();
        var token = TestTokens.For("grpc-web-caller", committee: Clients.Committee);
        var client = Clients.GrpcWeb(gateway, out var channel);
        using (channel)
        {
            await ExhaustAsync(client, token);
        }
    }

    /// <summary>Makes <see cref="Limit"/> calls that pass, then returns the refusal of the next one (RESOURCE_EXHAUSTED).</summary>
    private static async Task<RpcException> ExhaustAsync(MembershipService.MembershipServiceClient client, string token)
    {
        var request = new GetRosterRequest { CommitteeId = Clients.Committee };
        for (var i = 0; i < Limit; i++)
        {
            await client.GetRosterAsync(request, CallOptionsExtensions.Bearer(token));
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetRosterAsync(request, CallOptionsExtensions.Bearer(token)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        return ex;
    }

    private Task<TestApp> StartLimitedGatewayAsync() =>
        fixture.StartGatewayAsync($"--RateLimiting:PermitLimit={Limit}", "--RateLimiting:WindowSeconds=60");

    private static ByteArrayContent GrpcFrame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        return content;
    }
}
