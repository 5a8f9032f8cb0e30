using Bcd.Contracts.Events.V1;
using Bcd.Meetings.Tests.Functional;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.EventBus;
using Bcd.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Bcd.Meetings.Tests.Projections;

/// <summary>
/// Meetings' side of the shared membership projection: the app subscribes to every membership event
/// through the library and checks authority against the library's view. How the projection applies
/// events is tested in Bcd.Projections.Membership.Tests.
/// </summary>
[Collection(MeetingsRedisCollection.Name)]
public sealed class MembershipWiringTests(RedisFixture redis)
{
    [Fact]
    public async Task MeetingsSubscribesToEveryMembershipEventAndNothingElseThroughTheSharedProjection()
    {
        await using var app = MeetingsApp.Create(
        [
            "--environment=Testing",
            $"--contentRoot={Repo.Path("services", "Bcd.Meetings")}",
            "--Service:Name=meetings",
            $"--ConnectionStrings:redis={redis.Server.ConnectionString}",
            "--Logging:LogLevel:Default=Warning",
            .. TestTokens.Settings(),
        ]);

        var catalog = app.Services.GetRequiredService<EventCatalog>();
        var events = MembershipEventsReflection.Descriptor.MessageTypes.Select(m => m.FullName).Order(StringComparer.Ordinal);
        Assert.Equal(events, catalog.Subscriptions.Select(s => s.Topic).Order(StringComparer.Ordinal));
        Assert.All(catalog.Subscriptions, s => Assert.Equal(typeof(MembershipProjection).Assembly, s.HandlerType.Assembly));
        Assert.IsType<MembershipProjection>(app.Services.GetRequiredService<IMembershipView>());
    }
}
