using Bcd.ServiceDefaults.EventBus;
using Google.Protobuf;

namespace Bcd.Testing;

/// <summary>Hands an event to an app's dispatcher exactly as the transports do: a CloudEvent from another service.</summary>
public static class EventDelivery
{
    public static Task<DispatchOutcome> DeliverAsync(
        this IntegrationEventDispatcher dispatcher, IMessage evt, string eventId, string sourceService, string subject,
        DateTimeOffset time, string sequence = "") =>
        dispatcher.DispatchAsync(new CloudEventEnvelope(
            eventId, CloudEventEnvelope.SourceOf(sourceService), evt.Descriptor.FullName, subject,
            time, string.Empty, CloudEventEnvelope.Formatter.Format(evt))
        {
            Sequence = sequence,
        }, CancellationToken.None);
}
