using System.Net;
using System.Text.Json;
using Bcd.Testing;
using Xunit;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class HealthzTests(GatewayFixture fixture)
{
    [Fact]
    public async Task HealthzIs200AndListsMembershipHealthy()
    {
        using var http = Clients.Rest(fixture.Gateway);

        using var response = await http.GetAsync("/healthz");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("self").GetProperty("status").GetString());
        var membership = json.RootElement.GetProperty("clusters").GetProperty("membership");
        Assert.Equal("Healthy", membership.GetProperty("status").GetString());
        var d1 = membership.GetProperty("destinations").GetProperty("d1");
        Assert.Equal("Healthy", d1.GetProperty("status").GetString());
        Assert.Equal(200, d1.GetProperty("httpStatus").GetInt32());
        Assert.Equal(fixture.Membership.GrpcAddress.ToString(), d1.GetProperty("address").GetString());
    }

    [Fact]
    public async Task HealthzIs503WhenADestinationIsDown()
    {
        // A second service added by configuration only, whose one instance is not running.
        var deadPort = FreePort.Next();
        await using var gateway = await fixture.StartGatewayAsync(
            $"--ReverseProxy:Clusters:ghost:Destinations:g1:Address=http://127.0.0.1:{deadPort}",
            "--ReverseProxy:Clusters:ghost:HttpRequest:Version=2",
            "--ReverseProxy:Clusters:ghost:HttpRequest:VersionPolicy=RequestVersionExact");
        using var http = Clients.Rest(gateway);

        using var response = await http.GetAsync("/healthz");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.ServiceUnavailable, response);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        var clusters = json.RootElement.GetProperty("clusters");
        Assert.Equal("Healthy", clusters.GetProperty("membership").GetProperty("status").GetString());
        var ghost = clusters.GetProperty("ghost");
        Assert.Equal("Unhealthy", ghost.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, ghost.GetProperty("destinations").GetProperty("g1").GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task LivenessIsTheGatewayAloneAndNeedsNoToken()
    {
        var deadPort = FreePort.Next();
        await using var gateway = await fixture.StartGatewayAsync(
            $"--ReverseProxy:Clusters:membership:Destinations:d1:Address=http://127.0.0.1:{deadPort}");
        using var http = Clients.Rest(gateway);

        using var live = await http.GetAsync("/health/live");
        using var healthz = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
    }
}
