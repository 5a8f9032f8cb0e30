using System.Diagnostics;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.EventBus;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Storage;

/// <summary>
/// Everything one command changes: aggregates (with the version each was read at), index entries,
/// history, outgoing events (outbox), the idempotency record and the inbox mark. <see cref="RedisStore"/>
/// applies it in one atomic Lua script: all of it or none of it.
/// </summary>
public sealed class ChangeSet
{
    internal readonly List<RedisValue> Checks = [];
    internal readonly List<RedisValue> Writes = [];
    private readonly List<OutboxEvent> _events = [];

    internal ChangeSet(StoreKeys keys, TimeProvider time)
    {
        Keys = keys;
        Time = time;
    }

    public StoreKeys Keys { get; }

    public TimeProvider Time { get; }

    public IReadOnlyList<OutboxEvent> Events => _events;

    public bool IsEmpty => Writes.Count == 0;

    /// <summary>Writes an aggregate; fails the whole set with ABORTED when its stored version is not <paramref name="expectedVersion"/> (0 = must not exist).</summary>
    public ChangeSet Save(string key, long expectedVersion, IMessage state)
    {
        Checks.AddRange(["V", key, expectedVersion]);
        Writes.AddRange(["A", key, expectedVersion + 1, state.ToByteArray()]);
        return this;
    }

    /// <summary>
    /// Creates an aggregate that must not exist yet. If it does — created earlier or by a request that
    /// won a race — nothing is written and <paramref name="whenExists"/> is thrown (e.g. ALREADY_EXISTS),
    /// so no read-before-write is needed.
    /// </summary>
    public ChangeSet Create(string key, IMessage state, Func<DomainException> whenExists)
    {
        Checks.AddRange(["E", key, ExistsErrors.Count]);
        ExistsErrors.Add(whenExists);
        Writes.AddRange(["A", key, 1, state.ToByteArray()]);
        return this;
    }

    internal List<Func<DomainException>> ExistsErrors { get; } = [];

    /// <summary>Requires an aggregate to be unchanged since it was read, without writing it.</summary>
    public ChangeSet Require(string key, long expectedVersion)
    {
        Checks.AddRange(["V", key, expectedVersion]);
        return this;
    }

    public ChangeSet SetAdd(string key, string member) => Write("S", key, member);

    public ChangeSet SetRemove(string key, string member) => Write("R", key, member);

    public ChangeSet SortedSetAdd(string key, string member, double score) => Write("Z", key, score, member);

    public ChangeSet SortedSetRemove(string key, string member) => Write("ZR", key, member);

    public ChangeSet HashSet(string key, string field, RedisValue value) => Write("H", key, field, value);

    public ChangeSet HashDelete(string key, string field) => Write("HD", key, field);

    /// <summary>Sets a plain value; <paramref name="ttl"/> of null keeps it forever.</summary>
    public ChangeSet StringSet(string key, RedisValue value, TimeSpan? ttl = null) =>
        Write("K", key, value, (long)(ttl?.TotalMilliseconds ?? 0));

    /// <summary>Appends to the aggregate's append-only history (X1).</summary>
    public ChangeSet History(string aggregateKey, IMessage entry) =>
        Write("L", aggregateKey + ":history", entry.ToByteArray());

    /// <summary>Queues an integration event in this service's outbox, in the same transaction as the state it describes.</summary>
    public ChangeSet Publish(IMessage evt, string subject)
    {
        var outboxEvent = new OutboxEvent(
            Id: Guid.CreateVersion7(Time.GetUtcNow()).ToString(),
            Type: evt.Descriptor.FullName,
            Subject: subject,
            Time: Time.GetUtcNow(),
            Data: CloudEventEnvelope.Formatter.Format(evt),
            TraceParent: Activity.Current?.Id ?? string.Empty);
        _events.Add(outboxEvent);
        Writes.AddRange(["X", Keys.Outbox, 6,
            "id", outboxEvent.Id, "type", outboxEvent.Type, "subject", outboxEvent.Subject,
            "time", outboxEvent.Time.ToString("O"), "data", outboxEvent.Data, "traceparent", outboxEvent.TraceParent]);
        return this;
    }

    /// <summary>Records the first answer to a request so a retry with the same request_id gets it again and writes nothing.</summary>
    internal ChangeSet Idempotency(string key, byte[] response, TimeSpan ttl)
    {
        // Checked before any version: a retry racing its first attempt gets the first answer, not ABORTED.
        Checks.InsertRange(0, ["I", key]);
        Writes.AddRange(["K", key, response, (long)ttl.TotalMilliseconds]);
        return this;
    }

    /// <summary>Marks an integration event handled; a redelivery finds the mark and changes nothing.</summary>
    internal ChangeSet Inbox(string key, TimeSpan ttl)
    {
        Checks.InsertRange(0, ["N", key]);
        Writes.AddRange(["K", key, "1", (long)ttl.TotalMilliseconds]);
        return this;
    }

    private ChangeSet Write(params RedisValue[] op)
    {
        Writes.AddRange(op);
        return this;
    }
}

/// <summary>An event as it sits in the outbox stream, before the relay wraps it in a CloudEvent.</summary>
public sealed record OutboxEvent(string Id, string Type, string Subject, DateTimeOffset Time, string Data, string TraceParent);

/// <summary>Timestamp helpers for history entries.</summary>
public static class TimeProviderExtensions
{
    public static Timestamp NowTimestamp(this TimeProvider time) => Timestamp.FromDateTimeOffset(time.GetUtcNow());
}
