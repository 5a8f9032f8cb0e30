using Bcd.Contracts.Events.V1;
using Bcd.Meetings.Domain;
using Bcd.Meetings.IntegrationEvents;
using Bcd.Meetings.Projections;
using Bcd.ServiceDefaults.EventBus;
using Bcd.Testing;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bcd.Meetings.Tests.Projections;

/// <summary>
/// The meetings service's event wiring (AddServiceDefaults + AddEventBus with the membership
/// subscriptions, as Extensions.cs declares them) over a real Redis, not started: tests hand CloudEvents
/// to the real dispatcher, so the inbox and the atomic commit are the ones the transports use.
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

    public static ProjectionHost Create(RedisServer redis)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--environment=Testing",
                "--Service:Name=meetings",
                $"--ConnectionStrings:redis={redis.ConnectionString}",
                "--EventBus:Transport=Redis",
                "--EventBus:RelayEnabled=false",
                "--Logging:LogLevel:Default=Warning",
                .. TestTokens.Settings(),
            ],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddServiceDefaults();
        // The service's own wiring: the same subscriptions and projection the service runs.
        builder.AddApplicationServices();
        return new ProjectionHost(builder.Build());
    }

    /// <summary>Delivers one membership event as the transports do (a CloudEvent from /bcd/membership).</summary>
    public Task<DispatchOutcome> DeliverAsync(Delivery delivery) =>
        Dispatcher.DispatchAsync(new CloudEventEnvelope(
            delivery.Id, CloudEventEnvelope.SourceOf("membership"), delivery.Event.Descriptor.FullName, MembershipHistory.CommitteeId,
            DateTimeOffset.UtcNow, string.Empty, CloudEventEnvelope.Formatter.Format(delivery.Event))
        {
            Sequence = delivery.Sequence,
        }, CancellationToken.None);

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

/// <summary>One membership event as it travels: its CloudEvent id and its publisher's outbox position.</summary>
internal sealed record Delivery(string Id, IMessage Event, string Sequence);
