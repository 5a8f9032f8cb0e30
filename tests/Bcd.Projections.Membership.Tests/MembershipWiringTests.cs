using Bcd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Bcd.Projections.Membership.Tests;

/// <summary>
/// The library's registration: two calls a service must both make. Forgetting the subscriptions
/// would leave the view empty for ever (every check NOT_FOUND), so the host refuses to start.
/// </summary>
public sealed class MembershipWiringTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ProjectionWithoutItsSubscriptionsFailsTheStart()
    {
        await using var app = Build(subscribe: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("SubscribesToMembership()", error.Message, StringComparison.Ordinal);
        Assert.Contains("bcd.events.v1.CommitteeCreated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectionWithItsSubscriptionsStartsAndServesTheView()
    {
        await using var app = Build(subscribe: true);
        await app.StartAsync();

        var view = app.Services.GetRequiredService<IMembershipView>();
        Assert.Same(app.Services.GetRequiredService<MembershipProjection>(), view);
        Assert.Null(await view.GetCommitteeAsync("bac-ninh"));
    }

    [Fact]
    public void RegisteringTwiceKeepsOneProjection()
    {
        var builder = ProjectionHost.Builder(redis.Server, subscribe: true);
        builder.Services.AddMembershipProjection();

        Assert.Single(builder.Services, d => d.ServiceType == typeof(MembershipProjection));
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IMembershipView));
        Assert.Single(builder.Services, d => d.ImplementationType == typeof(MembershipSubscriptionCheck));
    }

    // Built here rather than through TestApp, so an app whose start fails is still disposed.
    private WebApplication Build(bool subscribe) =>
        ProjectionHost.Builder(redis.Server, subscribe, $"--urls=http://127.0.0.1:{FreePort.Next()}").Build();
}
