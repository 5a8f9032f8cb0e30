using System.Text;
using Dapr.Client;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>Carries CloudEvents from the outbox relay to the subscribers.</summary>
public interface IEventTransport
{
    Task PublishAsync(CloudEventEnvelope envelope, CancellationToken ct);

    /// <summary>Publishes in order; when it returns, every event is in the transport.</summary>
    async Task PublishBatchAsync(IReadOnlyList<CloudEventEnvelope> envelopes, CancellationToken ct)
    {
        foreach (var envelope in envelopes)
        {
            await PublishAsync(envelope, ct);
        }
    }

    Task<bool> IsHealthyAsync(CancellationToken ct);
}

/// <summary>The Redis connection that carries events (the store's own unless ConnectionStrings:events is set).</summary>
public sealed class EventsRedis(IConnectionMultiplexer connection)
{
    public IConnectionMultiplexer Connection { get; } = connection;
}

/// <summary>Redis Streams: one stream per topic, the same mechanism Dapr's pubsub.redis uses.</summary>
public sealed class RedisStreamsTransport(EventsRedis redis) : IEventTransport
{
    public async Task PublishAsync(CloudEventEnvelope envelope, CancellationToken ct)
    {
        var db = redis.Connection.GetDatabase();
        await db.StreamAddAsync(EventBusOptions.StreamKey(envelope.Type), [
            new NameValueEntry("cloudevent", envelope.ToJson()),
        ]);

        // Consumers also poll, so a lost wake-up only delays delivery.
        await redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(EventBusOptions.WakeChannel(envelope.Type)), envelope.Id);
    }

    /// <summary>One round trip for the whole batch: the commands go out in order on one connection.</summary>
    public async Task PublishBatchAsync(IReadOnlyList<CloudEventEnvelope> envelopes, CancellationToken ct)
    {
        var batch = redis.Connection.GetDatabase().CreateBatch();
        var writes = envelopes
            .Select(e => (Task)batch.StreamAddAsync(EventBusOptions.StreamKey(e.Type), [new NameValueEntry("cloudevent", e.ToJson())]))
            .ToList();
        writes.AddRange(envelopes.Select(e => e.Type).Distinct().Select(topic =>
            (Task)batch.PublishAsync(RedisChannel.Literal(EventBusOptions.WakeChannel(topic)), string.Empty)));
        batch.Execute();
        await Task.WhenAll(writes);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        await redis.Connection.GetDatabase().PingAsync();
        return true;
    }
}

/// <summary>Dapr pub/sub: the CloudEvent goes to the sidecar as is, so its id survives to the subscriber's inbox.</summary>
public sealed class DaprTransport(DaprClient dapr, IOptions<EventBusOptions> options) : IEventTransport
{
    public Task PublishAsync(CloudEventEnvelope envelope, CancellationToken ct) =>
        dapr.PublishByteEventAsync(
            options.Value.PubSubName,
            envelope.Type,
            Encoding.UTF8.GetBytes(envelope.ToJson()),
            CloudEventEnvelope.ContentType,
            cancellationToken: ct);

    public Task<bool> IsHealthyAsync(CancellationToken ct) => dapr.CheckHealthAsync(ct);
}
