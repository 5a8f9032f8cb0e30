using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.EventBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bcd.Projections.Membership;

/// <summary>
/// Wiring of the membership projection into a service: two lines, because the event catalog is
/// declared inside AddEventBus and cannot reach the service collection.
/// <code>
/// builder.AddEventBus(events => events.Publishes&lt;MeetingConvened&gt;().SubscribesToMembership());
/// builder.Services.AddMembershipProjection();
/// // then inject IMembershipView, e.g. await membership.RequireCommitteeAsync(caller, committeeId, ct)
/// </code>
/// </summary>
public static class MembershipProjectionExtensions
{
    /// <summary>
    /// Subscribes to every membership event, each with the handler that applies it to
    /// <see cref="MembershipProjection"/>. Needs <see cref="AddMembershipProjection"/> as well.
    /// </summary>
    public static EventCatalog SubscribesToMembership(this EventCatalog events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events
            .Subscribes<CommitteeCreated, CommitteeCreatedHandler>()
            .Subscribes<AgencyRegistered, AgencyRegisteredHandler>()
            .Subscribes<MemberAppointed, MemberAppointedHandler>()
            .Subscribes<MemberReplaced, MemberReplacedHandler>()
            .Subscribes<MemberRemoved, MemberRemovedHandler>()
            .Subscribes<DelegationGranted, DelegationGrantedHandler>()
            .Subscribes<DelegationRevoked, DelegationRevokedHandler>()
            .Subscribes<WorkingGroupFormed, WorkingGroupFormedHandler>()
            .Subscribes<WorkingGroupReformed, WorkingGroupReformedHandler>()
            .Subscribes<SecondmentRecorded, SecondmentRecordedHandler>();
    }

    /// <summary>
    /// Registers <see cref="MembershipProjection"/> (one per process, over the service's RedisStore)
    /// and <see cref="IMembershipView"/> on it. At start the host fails if the event catalog lacks
    /// <see cref="SubscribesToMembership"/>: without it the view would stay empty and every authority
    /// check would answer NOT_FOUND, which is far harder to trace than a failed start.
    /// </summary>
    public static IServiceCollection AddMembershipProjection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MembershipProjection>();
        services.TryAddSingleton<IMembershipView>(sp => sp.GetRequiredService<MembershipProjection>());
        services.AddHostedService<MembershipSubscriptionCheck>();
        return services;
    }

    /// <summary>The membership topics the service must subscribe to, with the handlers of this library.</summary>
    internal static IReadOnlyList<string> MissingSubscriptions(EventCatalog? catalog)
    {
        var expected = new EventCatalog("expected").SubscribesToMembership().Subscriptions;
        return expected
            .Where(e => catalog?.Subscriptions.Any(s => s.Topic == e.Topic && s.HandlerType == e.HandlerType) != true)
            .Select(e => e.Topic)
            .ToList();
    }
}

/// <summary>Fails the start of a host that registered the projection but not the subscriptions that feed it.</summary>
internal sealed class MembershipSubscriptionCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = MembershipProjectionExtensions.MissingSubscriptions(services.GetService<EventCatalog>());
        return missing.Count == 0
            ? Task.CompletedTask
            : throw new InvalidOperationException(
                "AddMembershipProjection() needs the membership subscriptions: declare them with " +
                $"builder.AddEventBus(events => events.SubscribesToMembership()). Missing: {string.Join(", ", missing)}.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
