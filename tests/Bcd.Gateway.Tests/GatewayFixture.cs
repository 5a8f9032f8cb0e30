using Bcd.Meetings;
using Bcd.Membership;
using Bcd.Tasks;
using Bcd.Testing;
using Xunit;

namespace Bcd.Gateway.Tests;

/// <summary>
/// One redis-server, the membership service seeded with Bắc Ninh, the meetings and tasks services, and a gateway in front,
/// shared by the collection. Tests that need other gateway settings start their own gateway against
/// the same services with <see cref="StartGatewayAsync"/>.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "https://bcd.bacninh.test";

    public RedisServer Redis { get; private set; } = null!;

    public TestApp Membership { get; private set; } = null!;

    public TestApp Meetings { get; private set; } = null!;

    public TestApp Tasks { get; private set; } = null!;

    public TestApp Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Membership = await TestApp.StartAsync(
            MembershipApp.Create,
            Repo.Path("services", "Bcd.Membership"),
            [$"--ConnectionStrings:redis={Redis.ConnectionString}", "--Seed:BacNinh=true"]);
        Meetings = await TestApp.StartAsync(
            MeetingsApp.Create,
            Repo.Path("services", "Bcd.Meetings"),
            [$"--ConnectionStrings:redis={Redis.ConnectionString}"]);
        Tasks = await TestApp.StartAsync(
            TasksApp.Create,
            Repo.Path("services", "Bcd.Tasks"),
            [$"--ConnectionStrings:redis={Redis.ConnectionString}"]);
        // A limit no test of this collection reaches; RateLimitTests use a gateway of their own.
        Gateway = await StartGatewayAsync("--RateLimiting:PermitLimit=100000");
    }

    /// <summary>A gateway routing to this fixture's services, plus <paramref name="settings"/>.</summary>
    public Task<TestApp> StartGatewayAsync(params string[] settings) =>
        TestApp.StartAsync(
            GatewayApp.Create,
            Repo.Path("gateway", "Bcd.Gateway"),
            [
                $"--ReverseProxy:Clusters:membership:Destinations:d1:Address={Membership.GrpcAddress}",
                $"--ReverseProxy:Clusters:meetings:Destinations:d1:Address={Meetings.GrpcAddress}",
                $"--ReverseProxy:Clusters:tasks:Destinations:d1:Address={Tasks.GrpcAddress}",
                $"--Cors:AllowedOrigins:0={AllowedOrigin}",
                .. settings,
            ]);

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Tasks.DisposeAsync();
        await Meetings.DisposeAsync();
        await Membership.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
