using System.Net;
using System.Text.Json;
using Bcd.Contracts.Membership.V1;
using Bcd.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Yarp.ReverseProxy;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class RoutingTests(GatewayFixture fixture)
{
    [Fact]
    public async Task GrpcCallThroughGatewayReachesMembershipAndReturnsTheHead()
    {
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var roster = await client.GetRosterAsync(
                new GetRosterRequest { CommitteeId = Clients.Committee }, CallOptionsExtensions.Bearer(Clients.HeadToken()));

            var head = Assert.Single(roster.Entries, e => e.Role == Role.Head);
            Assert.Equal(Clients.HeadPersonId, head.Holder.PersonId);
            Assert.Equal("cong-an-tinh", roster.StandingAgencyId);
        }
    }

    [Fact]
    public async Task GrpcWebCallOverHttp1ReachesMembershipAndReturnsTheHead()
    {
        var client = Clients.GrpcWeb(fixture.Gateway, out var channel);
        using (channel)
        {
            var roster = await client.GetRosterAsync(
                new GetRosterRequest { CommitteeId = Clients.Committee }, CallOptionsExtensions.Bearer(Clients.HeadToken()));

            var head = Assert.Single(roster.Entries, e => e.Role == Role.Head);
            Assert.Equal(Clients.HeadPersonId, head.Holder.PersonId);
        }
    }

    [Fact]
    public async Task RestCallReachesMembershipTranscodingAndReturnsTheHead()
    {
        using var http = Clients.Rest(fixture.Gateway, Clients.HeadToken());

        using var response = await http.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal(new Version(1, 1), response.Version);
        var head = Assert.Single(json.RootElement.GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("role").GetString() == "ROLE_HEAD");
        Assert.Equal(Clients.HeadPersonId, head.GetProperty("holder").GetProperty("personId").GetString());
    }

    [Fact]
    public async Task RestCollectionRouteWithoutTrailingSegmentIsRouted()
    {
        using var http = Clients.Rest(fixture.Gateway, Clients.HeadToken());

        using var response = await http.GetAsync("/api/v1/committees");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
        Assert.Contains(json.RootElement.GetProperty("committees").EnumerateArray(),
            c => c.GetProperty("committeeId").GetString() == Clients.Committee);
    }

    [Fact]
    public async Task GrpcHealthIsRoutedByServiceHeaderWithoutToken()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.GrpcAddress);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);

        var serving = await health.CheckAsync(
            new HealthCheckRequest { Service = MembershipService.Descriptor.FullName },
            new Metadata { { "bcd-service", "membership" } });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);

        // Without the header no route matches: health and reflection of every service share one path.
        var unrouted = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(
            new HealthCheckRequest(), CallOptionsExtensions.Bearer(Clients.HeadToken())).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, unrouted.StatusCode);
    }

    [Theory]
    [InlineData("meetings", "bcd.meetings.v1.MeetingsService")]
    [InlineData("tasks", "bcd.tasks.v1.TasksService")]
    [InlineData("tasks", "bcd.tasks.v1.ScoringService")]
    public async Task GrpcHealthOfEachServiceIsRoutedByItsHeader(string service, string grpcService)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.GrpcAddress);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);

        var serving = await health.CheckAsync(new HealthCheckRequest { Service = grpcService }, new Metadata { { "bcd-service", service } });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
    }

    [Fact]
    public async Task UnknownPathWithoutTokenIsRefusedNotRevealed()
    {
        using var http = Clients.Rest(fixture.Gateway);

        using var response = await http.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task DevelopmentTokenRouteExistsOnlyInDevelopment()
    {
        Assert.False(fixture.Gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetRoute("membership-dev", out _));

        await using var development = await fixture.StartGatewayAsync("--environment=Development");
        Assert.True(development.Services.GetRequiredService<IProxyStateLookup>().TryGetRoute("membership-dev", out var route));
        Assert.Equal("anonymous", route.Config.AuthorizationPolicy);
        Assert.Equal("/dev/{**catch-all}", route.Config.Match.Path);
        Assert.Equal("membership", route.Config.ClusterId);
    }
}
