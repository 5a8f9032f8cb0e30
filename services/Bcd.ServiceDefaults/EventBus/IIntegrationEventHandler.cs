using Bcd.ServiceDefaults.Storage;
using Google.Protobuf;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>
/// Handles another service's event. The handler only records its effects in <see cref="IntegrationEventContext.Changes"/>;
/// the dispatcher commits them together with the inbox mark, so a redelivered event changes nothing.
/// </summary>
public interface IIntegrationEventHandler<in TEvent> where TEvent : IMessage
{
    Task HandleAsync(TEvent evt, IntegrationEventContext context, CancellationToken cancellationToken);
}

/// <param name="Sequence">The publisher's outbox position (sorts in publication order); empty if the publisher set none.</param>
public sealed record IntegrationEventContext(
    string EventId, string Type, string Source, DateTimeOffset Time, ChangeSet Changes, string Sequence = "");
