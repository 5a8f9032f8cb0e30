using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Storage;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StackExchange.Redis;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>RedisStore against a real redis-server: one atomic commit, version checks, request_id idempotency.</summary>
public sealed class StoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private readonly string _service = "st-" + Guid.NewGuid().ToString("N")[..8];

    private RedisStore NewStore() => new(redis.Server.Connection, new StoreKeys(_service), TimeProvider.System, new OutboxSignal(),
        new EventCatalog(_service).Publishes<AgencyRegistered>());

    private IDatabase Db => redis.Server.Connection.GetDatabase();

    [Fact]
    public async Task CommandWhoseDecisionThrowsWritesNothing()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("agency", "a1");
        var idempotencyKey = store.Keys.Idempotency("register", "req-1");

        await Assert.ThrowsAsync<RuleViolationException>(() => store.ExecuteOnceAsync<StringValue>("register", "req-1", StringValue.Parser, changes =>
        {
            changes.Save(key, 0, new StringValue { Value = "state" });
            changes.History(key, new StringValue { Value = "created" });
            changes.Publish(TestEvents.Agency("a1"), "a1");
            changes.SetAdd(store.Keys.Index("agencies"), "a1");
            throw new RuleViolationException("X4", "AGENCY_REFUSED", "refused", "bị từ chối");
        }));

        Assert.False(await Db.KeyExistsAsync(key));
        Assert.False(await Db.KeyExistsAsync(key + ":history"));
        Assert.False(await Db.KeyExistsAsync(store.Keys.Outbox));
        Assert.False(await Db.KeyExistsAsync(store.Keys.Index("agencies")));
        Assert.False(await Db.KeyExistsAsync(idempotencyKey));

        // The same request_id is free to succeed afterwards: the failure left no idempotency record.
        var response = await store.ExecuteOnceAsync("register", "req-1", StringValue.Parser, changes =>
        {
            changes.Save(key, 0, new StringValue { Value = "state" });
            return Task.FromResult(new StringValue { Value = "ok" });
        });
        Assert.Equal("ok", response.Value);
        Assert.True(await Db.KeyExistsAsync(idempotencyKey));
    }

    [Fact]
    public async Task CreatingWhatExistsThrowsTheGivenErrorAndWritesNothing()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("agency", "a2");
        await store.CommitAsync(store.NewChangeSet().Create(key, new StringValue { Value = "first" }, () => new AlreadyExistsException("agency", "a2")));

        var second = store.NewChangeSet()
            .Create(key, new StringValue { Value = "second" }, () => new AlreadyExistsException("agency", "a2"))
            .SetAdd(store.Keys.Index("agencies"), "a2")
            .Publish(TestEvents.Agency("a2"), "a2");
        var ex = await Assert.ThrowsAsync<AlreadyExistsException>(() => store.CommitAsync(second));

        Assert.Equal("a2", ex.ResourceName);
        Assert.Equal("first", (await store.LoadAsync(key, StringValue.Parser))!.State.Value);
        Assert.Equal(1, (await store.LoadAsync(key, StringValue.Parser))!.Version);
        Assert.False(await Db.KeyExistsAsync(store.Keys.Index("agencies")));
        Assert.False(await Db.KeyExistsAsync(store.Keys.Outbox));
    }

    [Fact]
    public async Task ConcurrentCreatorsOfOneKeyOneWinsTheOthersGetTheirOwnError()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("agency", "raced");
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() => store.CommitAsync(store.NewChangeSet()
            .Create(key, new StringValue { Value = "writer-" + i }, () => new AlreadyExistsException("agency", "raced"))))).ToList();

        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return "won";
            }
            catch (AlreadyExistsException)
            {
                return "exists";
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o == "won"));
        Assert.Equal(7, outcomes.Count(o => o == "exists"));
    }

    [Fact]
    public async Task ChangeSetWithOneStaleVersionWritesNoneOfItsChanges()
    {
        var store = NewStore();
        var fresh = store.Keys.Aggregate("agency", "fresh");
        var existing = store.Keys.Aggregate("agency", "existing");
        await store.CommitAsync(store.NewChangeSet().Save(existing, 0, new StringValue { Value = "v1" }));

        var changes = store.NewChangeSet()
            .Save(fresh, 0, new StringValue { Value = "new" })
            .History(fresh, new StringValue { Value = "created" })
            .Publish(TestEvents.Agency("fresh"), "fresh")
            .Save(existing, 0, new StringValue { Value = "overwrite" }); // read at 0, but it is at 1 now
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CommitAsync(changes));

        Assert.Equal(existing, conflict.Key);
        Assert.False(await Db.KeyExistsAsync(fresh));
        Assert.False(await Db.KeyExistsAsync(fresh + ":history"));
        Assert.False(await Db.KeyExistsAsync(store.Keys.Outbox));
        var stored = await store.LoadAsync(existing, StringValue.Parser);
        Assert.Equal(("v1", 1L), (stored!.State.Value, stored.Version));
    }

    [Fact]
    public async Task ConcurrentWritersOfTheSameVersionOnlyOneWinsAndTheOthersAreAborted()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("committee", "c1");
        await store.CommitAsync(store.NewChangeSet().Save(key, 0, new StringValue { Value = "v1" }));
        var loaded = await store.LoadAsync(key, StringValue.Parser);
        Assert.Equal(1, loaded!.Version);

        const int writers = 8;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, writers).Select(async i =>
        {
            var changes = store.NewChangeSet()
                .Save(key, loaded.Version, new StringValue { Value = "writer-" + i })
                .History(key, new StringValue { Value = "writer-" + i })
                .Publish(TestEvents.Agency("w" + i), "c1");
            await start.Task;
            try
            {
                await store.CommitAsync(changes);
                return (Writer: i, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Writer: i, Error: ex);
            }
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var winners = results.Where(r => r.Error is null).ToList();
        Assert.Single(winners);
        Assert.All(results.Where(r => r.Error is not null), r => Assert.IsType<ConcurrencyConflictException>(r.Error));
        var stored = await store.LoadAsync(key, StringValue.Parser);
        Assert.Equal(2, stored!.Version);
        Assert.Equal("writer-" + winners[0].Writer, stored.State.Value);
        Assert.Equal(1, await Db.ListLengthAsync(key + ":history"));
        Assert.Equal(1, await Db.StreamLengthAsync(store.Keys.Outbox));
    }

    [Fact]
    public async Task PublishingAnUndeclaredEventFailsBeforeAnythingIsWritten()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("member", "p1");
        var changes = store.NewChangeSet()
            .Save(key, 0, new StringValue { Value = "member" })
            .Publish(TestEvents.Member("p1"), TestEvents.Committee);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync(changes));

        Assert.False(await Db.KeyExistsAsync(key));
        Assert.False(await Db.KeyExistsAsync(store.Keys.Outbox));
    }

    [Fact]
    public void ConcurrencyConflictIsMappedToAborted() =>
        Assert.Equal(StatusCode.Aborted, ErrorMappingInterceptor.ToRpcException(new ConcurrencyConflictException("k")).StatusCode);

    [Fact]
    public async Task RepeatedRequestIdReturnsTheFirstResponseAndWritesOnce()
    {
        var store = NewStore();
        var key = store.Keys.Aggregate("agency", "a1");
        var decisions = 0;

        Task<StringValue> Command() => store.ExecuteOnceAsync("register", "req-7", StringValue.Parser, async changes =>
        {
            Interlocked.Increment(ref decisions);
            var current = await store.LoadAsync(key, StringValue.Parser);
            changes.Save(key, current?.Version ?? 0, new StringValue { Value = "agency" });
            changes.History(key, new StringValue { Value = "registered" });
            changes.Publish(TestEvents.Agency("a1"), "a1");
            return new StringValue { Value = Guid.NewGuid().ToString() };
        });

        var first = await Command();
        var second = await Command();

        Assert.Equal(first.Value, second.Value);
        Assert.Equal(1, decisions);
        Assert.Equal(1, (await store.LoadAsync(key, StringValue.Parser))!.Version);
        Assert.Equal(1, await Db.ListLengthAsync(key + ":history"));
        Assert.Equal(1, await Db.StreamLengthAsync(store.Keys.Outbox));
    }

    [Fact]
    public async Task RacingCallsWithTheSameRequestIdBothGetTheFirstResponseAndWriteOnce()
    {
        var store = NewStore();
        for (var round = 0; round < 5; round++)
        {
            var key = store.Keys.Aggregate("agency", "race-" + round);
            var requestId = "req-race-" + round;
            var arrived = 0;
            var bothDecided = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Both calls pass the "seen before?" read and decide on the same version before either commits.
            Task<StringValue> Command() => store.ExecuteOnceAsync("register", requestId, StringValue.Parser, async changes =>
            {
                var current = await store.LoadAsync(key, StringValue.Parser);
                if (Interlocked.Increment(ref arrived) == 2)
                {
                    bothDecided.SetResult();
                }

                await bothDecided.Task.WaitAsync(TimeSpan.FromSeconds(5));
                changes.Save(key, current?.Version ?? 0, new StringValue { Value = "agency" });
                changes.History(key, new StringValue { Value = "registered" });
                changes.Publish(TestEvents.Agency("race"), "race");
                return new StringValue { Value = Guid.NewGuid().ToString() };
            });

            var responses = await Task.WhenAll(Command(), Command());

            Assert.Equal(responses[0].Value, responses[1].Value);
            Assert.Equal(1, (await store.LoadAsync(key, StringValue.Parser))!.Version);
            Assert.Equal(1, await Db.ListLengthAsync(key + ":history"));
        }

        Assert.Equal(5, await Db.StreamLengthAsync(store.Keys.Outbox));
    }
}
