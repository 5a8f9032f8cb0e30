using System.Collections.Concurrent;
using System.Reflection;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Storage;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bcd.ServiceDefaults.EventBus;

public enum DispatchOutcome
{
    Handled,
    AlreadyHandled,
}

/// <summary>
/// Delivers one CloudEvent to the handler its type is subscribed with, exactly once in effect: the
/// handler's changes and the inbox mark commit together; a lost race re-runs the handler.
/// </summary>
public sealed partial class IntegrationEventDispatcher(
    IServiceScopeFactory scopes, RedisStore store, EventCatalog catalog, ILogger<IntegrationEventDispatcher> logger)
{
    private const int MaxConflictRetries = 5;

    private static readonly MethodInfo InvokeMethod =
        typeof(IntegrationEventDispatcher).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConcurrentDictionary<Type, Func<object, IMessage, IntegrationEventContext, CancellationToken, Task>> _invokers = new();

    public async Task<DispatchOutcome> DispatchAsync(CloudEventEnvelope envelope, CancellationToken ct)
    {
        var subscription = catalog.Subscriptions.FirstOrDefault(s => s.Topic == envelope.Type)
            ?? throw new MalformedEventException($"{catalog.Service} does not subscribe to '{envelope.Type}'.");
        var message = CloudEventEnvelope.ParseData(envelope.DataJson, subscription.Descriptor);

        var inboxKey = store.Keys.Inbox(envelope.Id);
        if (await store.Database.KeyExistsAsync(inboxKey))
        {
            LogDuplicate(logger, envelope.Id, envelope.Type);
            return DispatchOutcome.AlreadyHandled;
        }

        var invoke = _invokers.GetOrAdd(subscription.Descriptor.ClrType, static t =>
            InvokeMethod.MakeGenericMethod(t).CreateDelegate<Func<object, IMessage, IntegrationEventContext, CancellationToken, Task>>());
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService(subscription.HandlerType);
            var changes = store.NewChangeSet();
            changes.Inbox(inboxKey, RedisStore.InboxWindow);
            await invoke(handler, message, new IntegrationEventContext(envelope.Id, envelope.Type, envelope.Source, envelope.Time, changes, envelope.Sequence), ct);
            try
            {
                var outcome = await store.CommitAsync(changes);
                if (outcome.Status == CommitStatus.AlreadyHandled)
                {
                    LogDuplicate(logger, envelope.Id, envelope.Type);
                    return DispatchOutcome.AlreadyHandled;
                }

                return DispatchOutcome.Handled;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxConflictRetries)
            {
                LogRetry(logger, envelope.Id, attempt);
            }
        }
    }

    private static Task InvokeTyped<TEvent>(object handler, IMessage message, IntegrationEventContext context, CancellationToken ct)
        where TEvent : IMessage =>
        ((IIntegrationEventHandler<TEvent>)handler).HandleAsync((TEvent)message, context, ct);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} ({EventType}) was handled before; nothing changes")]
    private static partial void LogDuplicate(ILogger logger, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} lost a write race (attempt {Attempt}); handling again")]
    private static partial void LogRetry(ILogger logger, string eventId, int attempt);
}
