using Bcd.ServiceDefaults.Hosting;
using Bcd.ServiceDefaults.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.EventBus;

/// <summary>
/// Publishes the outbox to the transport at least once and in order: an entry is published, then the
/// cursor moves past it; a crash in between publishes it again (subscribers' inboxes absorb that).
/// One replica relays at a time, under a lease, so the order per aggregate holds across replicas.
/// On stop it flushes what is left for a bounded time, then hands the lease over.
/// </summary>
public sealed partial class OutboxRelay(
    IConnectionMultiplexer redis,
    StoreKeys keys,
    IEventTransport transport,
    OutboxSignal signal,
    IOptions<EventBusOptions> options,
    IOptions<ShutdownOptions> shutdown,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(15);

    // Events published per transport round trip (and per cursor move).
    private const int ChunkSize = 50;
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await HoldLeaseAsync(db))
                {
                    await Task.Delay(LeaseTime / 3, stoppingToken);
                    continue;
                }

                var relayed = await RelayBatchAsync(db, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(100);
                if (relayed == 0)
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRelayFailed(logger, ex, backoff.TotalMilliseconds);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }

        await FlushAndReleaseAsync(db);
    }

    /// <summary>
    /// The web server has drained by now, so requests may have left events that the loop did not reach.
    /// Relaying them here spares subscribers a wait for the lease to expire; what does not make it in
    /// time stays in the outbox (the cursor has not passed it) for another replica or the next start.
    /// </summary>
    private async Task FlushAndReleaseAsync(IDatabase db)
    {
        if (!redis.IsConnected)
        {
            // Every command would wait out its timeout only to fail; the lease expires on its own.
            LogFlushSkipped(logger);
            return;
        }

        // The stopping token is already cancelled: the flush needs its own bound.
        using var flushTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(shutdown.Value.RelayFlushSeconds));
        var flushed = 0;
        var held = false;
        try
        {
            // Only the lease holder relays; re-checked per batch because the flush may outlast a lost lease.
            while (await db.LockExtendAsync(keys.OutboxLock, _owner, LeaseTime))
            {
                held = true;
                var relayed = await RelayBatchAsync(db, flushTimeout.Token);
                flushed += relayed;
                if (relayed == 0)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            LogFlushIncomplete(logger, ex, flushed);
        }

        if (held)
        {
            LogFlushed(logger, flushed);
        }

        try
        {
            // Hand the lease over at once on a clean shutdown.
            await db.LockReleaseAsync(keys.OutboxLock, _owner);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            LogLeaseNotReleased(logger, ex);
        }
    }

    private async Task<bool> HoldLeaseAsync(IDatabase db) =>
        await db.LockExtendAsync(keys.OutboxLock, _owner, LeaseTime) || await db.LockTakeAsync(keys.OutboxLock, _owner, LeaseTime);

    private async Task<int> RelayBatchAsync(IDatabase db, CancellationToken ct)
    {
        var cursor = await db.StringGetAsync(keys.OutboxCursor);
        var start = cursor.IsNull ? "-" : "(" + cursor;
        var entries = await db.StreamRangeAsync(keys.Outbox, start, "+", options.Value.BatchSize);
        var leaseCheckedAt = DateTimeOffset.UtcNow;
        var relayed = 0;
        foreach (var chunk in entries.Chunk(ChunkSize))
        {
            // Redis calls take no token; checking here keeps the shutdown flush within its bound.
            ct.ThrowIfCancellationRequested();

            // A slow batch must not outlive the lease, or a second replica would relay alongside this one.
            if (DateTimeOffset.UtcNow - leaseCheckedAt > LeaseTime / 3)
            {
                if (!await db.LockExtendAsync(keys.OutboxLock, _owner, LeaseTime))
                {
                    break;
                }

                leaseCheckedAt = DateTimeOffset.UtcNow;
            }

            var envelopes = chunk.Select(ToEnvelope).ToList();
            await transport.PublishBatchAsync(envelopes, ct);

            // Only now does the cursor pass them: a crash before this line publishes the chunk again.
            await db.StringSetAsync(keys.OutboxCursor, chunk[^1].Id);
            relayed += chunk.Length;
            foreach (var envelope in envelopes)
            {
                LogPublished(logger, envelope.Id, envelope.Type);
            }
        }

        if (relayed > 0)
        {
            // Entries before the last relayed one are in the transport now; keep the outbox short.
            await db.StreamTrimByMinIdAsync(keys.Outbox, entries[relayed - 1].Id, useApproximateMaxLength: true);
        }

        return relayed;
    }

    private CloudEventEnvelope ToEnvelope(StreamEntry entry)
    {
        string Field(string name) => (string?)entry[name] ?? string.Empty;
        return new CloudEventEnvelope(
            Field("id"),
            CloudEventEnvelope.SourceOf(keys.Service),
            Field("type"),
            Field("subject"),
            DateTimeOffset.Parse(Field("time"), System.Globalization.CultureInfo.InvariantCulture),
            Field("traceparent"),
            Field("data"))
        {
            Sequence = CloudEventEnvelope.SequenceOf(entry.Id!),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed; retrying in {DelayMs} ms")]
    private static partial void LogRelayFailed(ILogger logger, Exception ex, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay flushed {Count} events on shutdown")]
    private static partial void LogFlushed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay stopped its shutdown flush after {Count} events; what is left stays in the outbox for the next relay")]
    private static partial void LogFlushIncomplete(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not connected: the outbox relay stops without a flush and its lease expires on its own")]
    private static partial void LogFlushSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not release its lease; another replica takes over when it expires")]
    private static partial void LogLeaseNotReleased(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Published {EventId} ({EventType})")]
    private static partial void LogPublished(ILogger logger, string eventId, string eventType);
}
