using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>
/// Consumes this service's subscriptions from Redis Streams: one consumer group per service, entries
/// acknowledged only after the handler's changes committed, stale pending entries taken over with
/// XAUTOCLAIM, and an entry that failed <see cref="EventBusOptions.MaxDeliveryAttempts"/> times moved
/// to the service's dead-letter stream.
/// </summary>
public sealed partial class RedisStreamsSubscriber(
    EventsRedis redis,
    EventCatalog catalog,
    IntegrationEventDispatcher dispatcher,
    IOptions<EventBusOptions> options,
    ILogger<RedisStreamsSubscriber> logger) : BackgroundService
{
    /// <summary>Unique per process so a restarted instance never inherits a dead one's pending list by name.</summary>
    public string ConsumerName { get; } = $"{catalog.Service}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private string Group => catalog.Service;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Subscriptions.Select(s => ConsumeAsync(s, stoppingToken)));

    private async Task ConsumeAsync(Subscription subscription, CancellationToken ct)
    {
        var db = redis.Connection.GetDatabase();
        var stream = EventBusOptions.StreamKey(subscription.Topic);
        var wake = new SemaphoreSlim(0, 1);
        var channel = await redis.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(EventBusOptions.WakeChannel(subscription.Topic)));
        channel.OnMessage(_ =>
        {
            if (wake.CurrentCount == 0)
            {
                try
                {
                    wake.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already awake.
                }
            }
        });

        var lastClaim = DateTimeOffset.MinValue;
        RedisValue claimCursor = "0-0";
        var groupReady = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    await EnsureGroupAsync(db, stream);
                    groupReady = true;
                }

                var entries = await db.StreamReadGroupAsync(stream, Group, ConsumerName, ">", options.Value.BatchSize);
                foreach (var entry in entries)
                {
                    await HandleAsync(db, stream, subscription, entry, 1, ct);
                }

                var claimed = 0;
                if (DateTimeOffset.UtcNow - lastClaim >= ClaimInterval)
                {
                    (claimed, claimCursor) = await ClaimStaleAsync(db, stream, subscription, claimCursor, ct);
                    lastClaim = DateTimeOffset.UtcNow;
                }

                if (entries.Length == 0 && claimed == 0)
                {
                    await wake.WaitAsync(options.Value.PollInterval, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConsumeFailed(logger, ex, subscription.Topic);
                groupReady = false;
                await Task.Delay(options.Value.PollInterval, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await channel.UnsubscribeAsync();
    }

    private TimeSpan ClaimInterval => options.Value.ClaimIdleTime < options.Value.PollInterval
        ? options.Value.ClaimIdleTime
        : options.Value.PollInterval;

    private async Task EnsureGroupAsync(IDatabase db, string stream)
    {
        try
        {
            // From the beginning: a new service builds its projections from the whole history.
            await db.StreamCreateConsumerGroupAsync(stream, Group, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: another replica or an earlier run made it.
        }
    }

    // Resumes where the previous scan stopped (XAUTOCLAIM's cursor), so a long pending list is walked whole.
    private async Task<(int Claimed, RedisValue Next)> ClaimStaleAsync(
        IDatabase db, string stream, Subscription subscription, RedisValue cursor, CancellationToken ct)
    {
        var claimed = await db.StreamAutoClaimAsync(
            stream, Group, ConsumerName, (long)options.Value.ClaimIdleTime.TotalMilliseconds, cursor, options.Value.BatchSize);
        foreach (var entry in claimed.ClaimedEntries)
        {
            var pending = await db.StreamPendingMessagesAsync(stream, Group, 1, ConsumerName, entry.Id, entry.Id);
            var deliveries = pending.Length > 0 ? pending[0].DeliveryCount : 1;
            if (deliveries > options.Value.MaxDeliveryAttempts)
            {
                await DeadLetterAsync(db, stream, subscription, entry, deliveries - 1);
                continue;
            }

            await HandleAsync(db, stream, subscription, entry, (int)deliveries, ct);
        }

        return (claimed.ClaimedEntries.Length, claimed.NextStartId.IsNullOrEmpty ? "0-0" : claimed.NextStartId);
    }

    private async Task HandleAsync(IDatabase db, string stream, Subscription subscription, StreamEntry entry, int deliveries, CancellationToken ct)
    {
        try
        {
            var envelope = CloudEventEnvelope.Parse((string?)entry["cloudevent"] ?? string.Empty);
            await dispatcher.DispatchAsync(envelope, ct);
            await db.StreamAcknowledgeAsync(stream, Group, entry.Id);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (MalformedEventException ex)
        {
            // Not a CloudEvent of the subscribed type: no retry can change that, so it goes to the dead letters now.
            LogHandlerFailed(logger, ex, subscription.Topic, entry.Id.ToString());
            await DeadLetterAsync(db, stream, subscription, entry, deliveries);
        }
        catch (Exception ex)
        {
            // Left pending: XAUTOCLAIM brings it back after ClaimIdleTime, up to MaxDeliveryAttempts.
            LogHandlerFailed(logger, ex, subscription.Topic, entry.Id.ToString());
        }
    }

    private async Task DeadLetterAsync(IDatabase db, string stream, Subscription subscription, StreamEntry entry, int attempts)
    {
        // An entry without the field is poison too; a null value would fail XADD and leave it pending forever.
        var cloudEvent = entry["cloudevent"];
        await db.StreamAddAsync(EventBusOptions.StreamKey(subscription.DeadLetterTopic), [
            new NameValueEntry("cloudevent", cloudEvent.IsNull ? RedisValue.EmptyString : cloudEvent),
            new NameValueEntry("topic", subscription.Topic),
            new NameValueEntry("subscriber", catalog.Service),
            new NameValueEntry("stream_id", entry.Id),
            new NameValueEntry("attempts", attempts),
        ]);
        await db.StreamAcknowledgeAsync(stream, Group, entry.Id);
        LogDeadLettered(logger, entry.Id.ToString(), subscription.Topic, attempts);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consuming {Topic} failed; retrying")]
    private static partial void LogConsumeFailed(ILogger logger, Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling {Topic} entry {EntryId} failed; it stays pending for redelivery")]
    private static partial void LogHandlerFailed(ILogger logger, Exception ex, string topic, string entryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Entry {EntryId} of {Topic} moved to the dead-letter stream after {Attempts} attempts")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string topic, int attempts);
}
