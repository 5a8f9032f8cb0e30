using Bcd.ServiceDefaults.Errors;
using Google.Protobuf;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Storage;

/// <summary>A loaded aggregate and the version it was read at (0 when absent).</summary>
public sealed record Versioned<T>(T State, long Version) where T : IMessage<T>;

/// <summary>
/// The service's store: versioned protobuf aggregates in Redis hashes, written only through
/// <see cref="ChangeSet"/>s that one Lua script applies atomically (ARCHITECTURE §5).
/// </summary>
public sealed class RedisStore(
    IConnectionMultiplexer redis, StoreKeys keys, TimeProvider time, OutboxSignal outboxSignal, EventBus.EventCatalog? catalog = null)
{
    /// <summary>How long a request_id keeps answering with its first result.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromDays(7);

    /// <summary>How long a handled event id is remembered; far beyond any redelivery window.</summary>
    public static readonly TimeSpan InboxWindow = TimeSpan.FromDays(30);

    // Checks run first over the whole set; only when all pass are the writes applied. Redis runs the
    // script atomically, so no other client sees a partial change.
    private const string CommitScript = """
        local nchecks = tonumber(ARGV[1])
        local i = 2
        local last = 1 + nchecks
        while i <= last do
          local op = ARGV[i]
          if op == 'V' then
            local v = redis.call('HGET', ARGV[i+1], 'v')
            if (v or '0') ~= ARGV[i+2] then return {'conflict', ARGV[i+1]} end
            i = i + 3
          elseif op == 'I' then
            local prior = redis.call('GET', ARGV[i+1])
            if prior then return {'duplicate', prior} end
            i = i + 2
          elseif op == 'N' then
            if redis.call('EXISTS', ARGV[i+1]) == 1 then return {'seen', ''} end
            i = i + 2
          elseif op == 'E' then
            if redis.call('EXISTS', ARGV[i+1]) == 1 then return {'exists', ARGV[i+2]} end
            i = i + 3
          else
            return redis.error_reply('unknown check ' .. op)
          end
        end
        local n = #ARGV
        while i <= n do
          local op = ARGV[i]
          if op == 'A' then
            redis.call('HSET', ARGV[i+1], 'v', ARGV[i+2], 'd', ARGV[i+3]); i = i + 4
          elseif op == 'S' then redis.call('SADD', ARGV[i+1], ARGV[i+2]); i = i + 3
          elseif op == 'R' then redis.call('SREM', ARGV[i+1], ARGV[i+2]); i = i + 3
          elseif op == 'Z' then redis.call('ZADD', ARGV[i+1], ARGV[i+2], ARGV[i+3]); i = i + 4
          elseif op == 'ZR' then redis.call('ZREM', ARGV[i+1], ARGV[i+2]); i = i + 3
          elseif op == 'H' then redis.call('HSET', ARGV[i+1], ARGV[i+2], ARGV[i+3]); i = i + 4
          elseif op == 'HD' then redis.call('HDEL', ARGV[i+1], ARGV[i+2]); i = i + 3
          elseif op == 'L' then redis.call('RPUSH', ARGV[i+1], ARGV[i+2]); i = i + 3
          elseif op == 'K' then
            local ttl = tonumber(ARGV[i+3])
            if ttl > 0 then redis.call('SET', ARGV[i+1], ARGV[i+2], 'PX', ttl)
            else redis.call('SET', ARGV[i+1], ARGV[i+2]) end
            i = i + 4
          elseif op == 'X' then
            local nf = tonumber(ARGV[i+2])
            local args = {'XADD', ARGV[i+1], '*'}
            for j = 1, nf * 2 do args[#args+1] = ARGV[i+2+j] end
            redis.call(unpack(args))
            i = i + 3 + nf * 2
          else
            return redis.error_reply('unknown write ' .. op)
          end
        end
        return {'ok', ''}
        """;

    public StoreKeys Keys { get; } = keys;

    public IDatabase Database => redis.GetDatabase();

    public ChangeSet NewChangeSet() => new(Keys, time);

    public async Task<Versioned<T>?> LoadAsync<T>(string key, MessageParser<T> parser) where T : IMessage<T>
    {
        var values = await Database.HashGetAsync(key, ["v", "d"]);
        if (values[0].IsNull)
        {
            return null;
        }

        return new Versioned<T>(parser.ParseFrom((byte[])values[1]!), (long)values[0]);
    }

    /// <summary>Loads an aggregate or throws NOT_FOUND naming it.</summary>
    public async Task<Versioned<T>> LoadRequiredAsync<T>(string key, MessageParser<T> parser, string resourceType, string resourceName)
        where T : IMessage<T> =>
        await LoadAsync(key, parser) ?? throw new NotFoundException(resourceType, resourceName);

    public async Task<IReadOnlyList<T>> LoadManyAsync<T>(IEnumerable<string> keys, MessageParser<T> parser) where T : IMessage<T>
    {
        var batch = Database.CreateBatch();
        var tasks = keys.Select(k => batch.HashGetAsync(k, "d")).ToList();
        batch.Execute();
        var values = await Task.WhenAll(tasks);
        return values.Where(v => !v.IsNull).Select(v => parser.ParseFrom((byte[])v!)).ToList();
    }

    public async Task<IReadOnlyList<T>> HistoryAsync<T>(string aggregateKey, MessageParser<T> parser, long start = 0, long stop = -1)
        where T : IMessage<T>
    {
        var values = await Database.ListRangeAsync(aggregateKey + ":history", start, stop);
        return values.Select(v => parser.ParseFrom((byte[])v!)).ToList();
    }

    /// <summary>Applies a change set atomically. Throws ABORTED when a version check fails.</summary>
    public async Task<CommitOutcome> CommitAsync(ChangeSet changes)
    {
        // A service publishes only what it declared (EventCatalog), so subscribers and Dapr scopes can rely on the list.
        var undeclared = changes.Events.FirstOrDefault(e => catalog is null || !catalog.IsPublished(e.Type));
        if (undeclared is not null)
        {
            throw new InvalidOperationException($"{Keys.Service} publishes {undeclared.Type} without declaring it in AddEventBus.");
        }

        var args = new List<RedisValue>(changes.Checks.Count + changes.Writes.Count + 1) { changes.Checks.Count };
        args.AddRange(changes.Checks);
        args.AddRange(changes.Writes);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(CommitScript, values: [.. args]))!;
        var status = (string)result[0]!;
        switch (status)
        {
            case "ok":
                if (changes.Events.Count > 0)
                {
                    outboxSignal.Notify();
                }

                return CommitOutcome.Committed;
            case "duplicate":
                return new CommitOutcome(CommitStatus.Duplicate, (byte[])result[1]!);
            case "seen":
                return new CommitOutcome(CommitStatus.AlreadyHandled, null);
            case "exists":
                throw changes.ExistsErrors[(int)result[1]]();
            default:
                throw new ConcurrencyConflictException((string)result[1]!);
        }
    }

    /// <summary>
    /// Runs a state-changing command once per request_id: a retry returns the first response and
    /// writes nothing, even when the first attempt is still racing the retry.
    /// </summary>
    public async Task<TResponse> ExecuteOnceAsync<TResponse>(
        string scope, string requestId, MessageParser<TResponse> parser, Func<ChangeSet, Task<TResponse>> decide)
        where TResponse : IMessage<TResponse>
    {
        var key = Keys.Idempotency(scope, requestId);
        var prior = await Database.StringGetAsync(key);
        if (!prior.IsNull)
        {
            return parser.ParseFrom((byte[])prior!);
        }

        var changes = NewChangeSet();
        TResponse response;
        try
        {
            response = await decide(changes);
        }
        catch (DomainException)
        {
            // A racing first attempt may have committed meanwhile: its answer wins over a refusal.
            var first = await Database.StringGetAsync(key);
            if (!first.IsNull)
            {
                return parser.ParseFrom((byte[])first!);
            }

            throw;
        }

        changes.Idempotency(key, response.ToByteArray(), IdempotencyWindow);
        var outcome = await CommitAsync(changes);
        return outcome.Status == CommitStatus.Duplicate ? parser.ParseFrom(outcome.PriorResponse!) : response;
    }
}

public enum CommitStatus
{
    Committed,
    Duplicate,
    AlreadyHandled,
}

public sealed record CommitOutcome(CommitStatus Status, byte[]? PriorResponse)
{
    public static readonly CommitOutcome Committed = new(CommitStatus.Committed, null);
}

/// <summary>Wakes the outbox relay in this process as soon as a commit has queued events.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit already woke the relay.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
