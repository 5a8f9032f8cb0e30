using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.EventBus;

namespace Bcd.Projections.Membership;

// One handler per membership event, each handing the entity snapshot the event carries to the
// projection. The dispatcher commits what they record together with the inbox mark. Internal: a
// service subscribes them all at once with SubscribesToMembership(), never one by one.

internal sealed class CommitteeCreatedHandler(MembershipProjection projection) : IIntegrationEventHandler<CommitteeCreated>
{
    public Task HandleAsync(CommitteeCreated evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt, context);
}

internal sealed class AgencyRegisteredHandler(MembershipProjection projection) : IIntegrationEventHandler<AgencyRegistered>
{
    public Task HandleAsync(AgencyRegistered evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Agency, context);
}

internal sealed class MemberAppointedHandler(MembershipProjection projection) : IIntegrationEventHandler<MemberAppointed>
{
    public Task HandleAsync(MemberAppointed evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Seat, context);
}

internal sealed class MemberReplacedHandler(MembershipProjection projection) : IIntegrationEventHandler<MemberReplaced>
{
    public Task HandleAsync(MemberReplaced evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Seat, context);
}

internal sealed class MemberRemovedHandler(MembershipProjection projection) : IIntegrationEventHandler<MemberRemoved>
{
    public Task HandleAsync(MemberRemoved evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Seat, context);
}

internal sealed class DelegationGrantedHandler(MembershipProjection projection) : IIntegrationEventHandler<DelegationGranted>
{
    public Task HandleAsync(DelegationGranted evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Delegation, context);
}

internal sealed class DelegationRevokedHandler(MembershipProjection projection) : IIntegrationEventHandler<DelegationRevoked>
{
    public Task HandleAsync(DelegationRevoked evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Delegation, context);
}

internal sealed class WorkingGroupFormedHandler(MembershipProjection projection) : IIntegrationEventHandler<WorkingGroupFormed>
{
    public Task HandleAsync(WorkingGroupFormed evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Group, context);
}

internal sealed class WorkingGroupReformedHandler(MembershipProjection projection) : IIntegrationEventHandler<WorkingGroupReformed>
{
    public Task HandleAsync(WorkingGroupReformed evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Group, context);
}

internal sealed class SecondmentRecordedHandler(MembershipProjection projection) : IIntegrationEventHandler<SecondmentRecorded>
{
    public Task HandleAsync(SecondmentRecorded evt, IntegrationEventContext context, CancellationToken cancellationToken) =>
        projection.ApplyAsync(evt.CommitteeId, evt.Secondment, context);
}
