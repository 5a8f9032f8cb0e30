using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>One subscription: the topic (the event's full name), its message type and its handler.</summary>
public sealed record Subscription(string Topic, MessageDescriptor Descriptor, Type HandlerType, string DeadLetterTopic);

/// <summary>
/// What a service publishes and what it subscribes to, declared once in its Extensions.cs.
/// Publishing an undeclared event fails fast; the Dapr subscribe endpoint and the Redis consumers
/// are both built from this list.
/// </summary>
public sealed class EventCatalog(string service)
{
    private readonly Dictionary<string, MessageDescriptor> _publishes = new(StringComparer.Ordinal);
    private readonly List<Subscription> _subscriptions = [];

    public string Service { get; } = service;

    public IReadOnlyCollection<string> PublishedTopics => _publishes.Keys;

    public IReadOnlyList<Subscription> Subscriptions => _subscriptions;

    public EventCatalog Publishes<TEvent>() where TEvent : IMessage<TEvent>, new()
    {
        var descriptor = new TEvent().Descriptor;
        _publishes[descriptor.FullName] = descriptor;
        return this;
    }

    public EventCatalog Subscribes<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        var descriptor = new TEvent().Descriptor;
        if (_subscriptions.Any(s => s.Topic == descriptor.FullName))
        {
            throw new InvalidOperationException($"{Service} already subscribes to {descriptor.FullName}.");
        }

        _subscriptions.Add(new Subscription(descriptor.FullName, descriptor, typeof(THandler), EventBusOptions.DeadLetterTopic(Service)));
        return this;
    }

    public bool IsPublished(string type) => _publishes.ContainsKey(type);
}
