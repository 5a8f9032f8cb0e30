using System.Net;
using Xunit;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class CorsTests(GatewayFixture fixture)
{
    private const string GrpcWebPath = "/bcd.membership.v1.MembershipService/GetRoster";

    [Fact]
    public async Task PreflightFromAllowedOriginIsAllowed()
    {
        using var http = Clients.Rest(fixture.Gateway);

        using var response = await http.SendAsync(Preflight(GatewayFixture.AllowedOrigin));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(GatewayFixture.AllowedOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var allowedHeaders = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers"));
        Assert.Contains("x-grpc-web", allowedHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("authorization", allowedHeaders, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PreflightFromAnotherOriginIsNotAllowed()
    {
        using var http = Clients.Rest(fixture.Gateway);

        using var response = await http.SendAsync(Preflight("https://evil.example"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ResponsesToAllowedOriginExposeGrpcStatusHeaders()
    {
        using var http = Clients.Rest(fixture.Gateway, Clients.HeadToken());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/committees/{Clients.Committee}/roster");
        request.Headers.Add("Origin", GatewayFixture.AllowedOrigin);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewayFixture.AllowedOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var exposed = string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers"));
        foreach (var header in new[] { "grpc-status", "grpc-message", "grpc-status-details-bin" })
        {
            Assert.Contains(header, exposed, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, GrpcWebPath);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web,x-user-agent");
        return request;
    }
}
