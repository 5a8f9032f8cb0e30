using Bcd.ServiceDefaults.EventBus;
using Bcd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bcd.Projections.Membership.Tests;

/// <summary>
/// A service wired as a service wires the projection (AddServiceDefaults, then the library's two lines)
/// over a real Redis, not started: tests hand CloudEvents to the real dispatcher, so the inbox and the
/// atomic commit are the ones the transports use.
/// </summary>
internal sealed class ProjectionHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProjectionHost(WebApplication app)
    {
        _app = app;
        Dispatcher = app.Services.GetRequiredService<IntegrationEventDispatcher>();
        Projection = app.Services.GetRequiredService<MembershipProjection>();
        View = app.Services.GetRequiredService<IMembershipView>();
        Catalog = app.Services.GetRequiredService<EventCatalog>();
    }

    public EventCatalog Catalog { get; }

    public IntegrationEventDispatcher Dispatcher { get; }

    public MembershipProjection Projection { get; }

    public IMembershipView View { get; }

    /// <summary>
    /// The subscribing service: any name but membership's own does, and none of the real ones, so
    /// nothing here leans on a service's key prefix.
    /// </summary>
    public const string Service = "subscriber";

    public static ProjectionHost Create(RedisServer redis) => new(Builder(redis, subscribe: true).Build());

    /// <summary>
    /// A service's builder with the projection registered; <paramref name="subscribe"/> false leaves
    /// out SubscribesToMembership(), the mistake the start check is there for.
    /// </summary>
    public static WebApplicationBuilder Builder(RedisServer redis, bool subscribe, params string[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--environment=Testing",
                $"--Service:Name={Service}",
                $"--ConnectionStrings:redis={redis.ConnectionString}",
                "--EventBus:Transport=Redis",
                "--EventBus:RelayEnabled=false",
                "--Logging:LogLevel:Default=Warning",
                .. TestTokens.Settings(),
                .. settings,
            ],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddServiceDefaults();
        // The two lines a service writes in its Extensions.cs.
        builder.AddEventBus(events =>
        {
            if (subscribe)
            {
                events.SubscribesToMembership();
            }
        });
        builder.Services.AddMembershipProjection();
        return builder;
    }

    /// <summary>Delivers one membership event as the transports do (a CloudEvent from /bcd/membership).</summary>
    public Task<DispatchOutcome> DeliverAsync(Delivery delivery) =>
        Dispatcher.DeliverAsync(delivery.Event, delivery.Id, "membership", MembershipHistory.CommitteeId, DateTimeOffset.UtcNow, delivery.Sequence);

    public async Task DeliverAllAsync(IEnumerable<Delivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            await DeliverAsync(delivery);
        }
    }

    public Task<CommitteeView?> CommitteeAsync() => View.GetCommitteeAsync(MembershipHistory.CommitteeId);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
