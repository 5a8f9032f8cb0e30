using System.Text.Json;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Storage;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// The redis transport end to end (ARCHITECTURE §5): outbox → relay → stream → consumer group →
/// handler + inbox, with redelivery, dead letters, duplicates and order, across app instances.
/// </summary>
public sealed class RedisEventBusTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Subscriber = "svc-sub";
    private const string DeadLetterStream = "bcd:events:bcd.deadletter." + Subscriber;

    private IDatabase Db => redis.Server.Connection.GetDatabase();

    public Task InitializeAsync() => redis.Server.FlushAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EventCommittedToTheOutboxReachesASubscriberInAnotherAppAndIsAcked()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        await using var publisher = await StartPublisherAsync();

        var store = publisher.Services.GetRequiredService<RedisStore>();
        var changes = store.NewChangeSet()
            .Save(store.Keys.Aggregate("agency", "so-tai-chinh"), 0, new StringValue { Value = "agency" })
            .Publish(TestEvents.Agency("so-tai-chinh"), TestEvents.Committee);
        await store.CommitAsync(changes);
        var eventId = changes.Events[0].Id;

        await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Count > 0, "the subscriber's effect");
        await Eventually.TrueAsync(async () => await PendingAsync(TestEvents.AgencyTopic) == 0, "the delivery to be acked");

        Assert.Equal(["so-tai-chinh"], await Effects.ReadAsync(Db, Subscriber));
        Assert.Equal(eventId, (string?)await Db.HashGetAsync(Subscriber + ":agency-events", "so-tai-chinh"));
        Assert.True(await Db.KeyExistsAsync(Subscriber + ":inbox:" + eventId));

        // What travelled on the stream is a CloudEvent 1.0 from the publisher, carrying the outbox id.
        var entry = Assert.Single(await Db.StreamRangeAsync(TestEvents.Stream(TestEvents.AgencyTopic)));
        using var cloudEvent = JsonDocument.Parse((string)entry["cloudevent"]!);
        var root = cloudEvent.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(eventId, root.GetProperty("id").GetString());
        Assert.Equal("/bcd/svc-pub", root.GetProperty("source").GetString());
        Assert.Equal(TestEvents.AgencyTopic, root.GetProperty("type").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("so-tai-chinh", root.GetProperty("data").GetProperty("agency").GetProperty("agencyId").GetString());
        Assert.Equal(1, probe.Calls);
    }

    [Fact]
    public async Task EventLeftUnackedByAConsumerThatDiedIsRedeliveredToANewInstance()
    {
        var dying = Probe.BlockingUntilStopped();
        await using var first = await StartSubscriberAsync(dying);
        await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, TestEvents.CloudEventJson("evt-died", TestEvents.Agency("so-noi-vu")));

        await dying.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await first.StopAsync();

        Assert.Equal(1, await PendingAsync(TestEvents.AgencyTopic));
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));

        var healthy = new Probe();
        await using var second = await StartSubscriberAsync(healthy);
        await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Count > 0, "the redelivered event's effect");
        await Eventually.TrueAsync(async () => await PendingAsync(TestEvents.AgencyTopic) == 0, "the redelivery to be acked");

        Assert.Equal(["so-noi-vu"], await Effects.ReadAsync(Db, Subscriber));
        Assert.Equal(1, healthy.Calls);
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterStream));
    }

    [Fact]
    public async Task EventWhoseHandlerAlwaysFailsIsDeadLetteredAfterMaxDeliveryAttempts()
    {
        var failing = Probe.Failing();
        await using var subscriber = await StartSubscriberAsync(failing);
        var json = TestEvents.CloudEventJson("evt-poison", TestEvents.Agency("so-poison"));
        var id = await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, json);

        var dead = await Eventually.ValueAsync(() => Db.StreamRangeAsync(DeadLetterStream), e => e.Length > 0, "the dead letter");
        await Eventually.TrueAsync(async () => await PendingAsync(TestEvents.AgencyTopic) == 0, "the poison entry to be acked");

        var letter = Assert.Single(dead);
        Assert.Equal(json, (string?)letter["cloudevent"]);
        Assert.Equal(TestEvents.AgencyTopic, (string?)letter["topic"]);
        Assert.Equal(Subscriber, (string?)letter["subscriber"]);
        Assert.Equal(id.ToString(), (string?)letter["stream_id"]);
        Assert.Equal(3, (int)letter["attempts"]);
        Assert.Equal(3, failing.Calls);
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));
        Assert.False(await Db.KeyExistsAsync(Subscriber + ":inbox:evt-poison"));
    }

    [Theory]
    [InlineData("{ this is not json")]
    [InlineData("{\"specversion\":\"1.0\",\"source\":\"/bcd/x\",\"type\":\"bcd.events.v1.AgencyRegistered\",\"data\":{}}")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"bad-data\",\"source\":\"/bcd/x\",\"type\":\"bcd.events.v1.AgencyRegistered\",\"data\":{\"agency\":17}}")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"bad-time\",\"source\":\"/bcd/x\",\"type\":\"bcd.events.v1.AgencyRegistered\",\"time\":\"yesterday\",\"data\":{}}")]
    [InlineData("")]
    public async Task UnparseableCloudEventIsDeadLetteredAndDoesNotBlockTheStream(string poison)
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        if (poison.Length == 0)
        {
            // An entry without the cloudevent field at all.
            await Db.StreamAddAsync(TestEvents.Stream(TestEvents.AgencyTopic), [new NameValueEntry("payload", "x")]);
        }
        else
        {
            await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, poison);
        }

        await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, TestEvents.CloudEventJson("evt-after", TestEvents.Agency("so-after")));

        var dead = await Eventually.ValueAsync(() => Db.StreamRangeAsync(DeadLetterStream), e => e.Length > 0, "the dead letter");
        // The poison entry goes first; the next one is handled after it (pending is 0 also before it is read).
        var effects = await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Count > 0, "the next event's effect");
        await Eventually.TrueAsync(async () => await PendingAsync(TestEvents.AgencyTopic) == 0, "both entries to be acked");

        var letter = Assert.Single(dead);
        Assert.Equal(poison, (string?)letter["cloudevent"]);
        // Malformed events cannot succeed on a retry: dead-lettered on the first delivery.
        Assert.Equal(1, (int)letter["attempts"]);
        Assert.Equal(["so-after"], effects);
        Assert.Single(await Db.StreamRangeAsync(DeadLetterStream));
    }

    [Fact]
    public async Task SameCloudEventDeliveredTwiceHasExactlyOneEffect()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        var json = TestEvents.CloudEventJson("evt-twice", TestEvents.Agency("so-twice"));
        await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, json);
        await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, json);
        // A later event as a marker: once it is handled, both copies before it have been consumed.
        await TestEvents.XAddAsync(Db, TestEvents.AgencyTopic, TestEvents.CloudEventJson("evt-marker", TestEvents.Agency("so-marker")));

        await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Contains("so-marker"), "the marker's effect");
        await Eventually.TrueAsync(async () => await PendingAsync(TestEvents.AgencyTopic) == 0, "all copies to be acked");

        Assert.Equal(["so-twice", "so-marker"], await Effects.ReadAsync(Db, Subscriber));
        Assert.Equal(0, await Db.StreamLengthAsync(DeadLetterStream));
    }

    [Fact]
    public async Task EventsOfOneAggregateArriveInCommitOrder()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        await using var publisher = await StartPublisherAsync();
        var store = publisher.Services.GetRequiredService<RedisStore>();
        var key = store.Keys.Aggregate("committee", TestEvents.Committee);

        var expected = new List<string>();
        for (var version = 0; version < 30; version++)
        {
            var agency = $"agency-{version:D2}";
            expected.Add(agency);
            var changes = store.NewChangeSet()
                .Save(key, version, new StringValue { Value = agency })
                .Publish(TestEvents.Agency(agency), TestEvents.Committee);
            if (version % 3 == 0)
            {
                // Events of another topic interleave on the same outbox without disturbing the order.
                changes.Publish(TestEvents.Member("p" + version), TestEvents.Committee);
                expected.Add("member:p" + version);
            }

            await store.CommitAsync(changes);
        }

        var seen = await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Count >= expected.Count, "all events");
        Assert.Equal(expected.Where(e => !e.StartsWith("member:", StringComparison.Ordinal)), seen.Where(e => !e.StartsWith("member:", StringComparison.Ordinal)));
        Assert.Equal(expected.Where(e => e.StartsWith("member:", StringComparison.Ordinal)), seen.Where(e => e.StartsWith("member:", StringComparison.Ordinal)));
        Assert.Equal(expected.Count, seen.Count);
    }

    [Fact]
    public async Task EventsOfOneCommitArriveInOrderAcrossRelayBatches()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        await using var publisher = await StartPublisherAsync();
        var store = publisher.Services.GetRequiredService<RedisStore>();

        // 230 events in one commit: the relay reads them in batches and publishes them in chunks.
        var expected = Enumerable.Range(0, 230).Select(i => $"agency-{i:D3}").ToList();
        var changes = store.NewChangeSet().Save(store.Keys.Aggregate("committee", TestEvents.Committee), 0, new StringValue { Value = "x" });
        foreach (var agency in expected)
        {
            changes.Publish(TestEvents.Agency(agency), TestEvents.Committee);
        }

        await store.CommitAsync(changes);

        var seen = await Eventually.ValueAsync(() => Effects.ReadAsync(Db, Subscriber), e => e.Count >= expected.Count, "all events");
        Assert.Equal(expected, seen);
        Assert.Equal(expected.Count, await Db.StreamLengthAsync(TestEvents.Stream(TestEvents.AgencyTopic)));

        // Each event carries its outbox position; string order is publication order.
        var sequences = await Db.HashGetAsync(Subscriber + ":agency-sequences", expected.Select(a => (RedisValue)a).ToArray());
        var ordered = sequences.Select(v => (string)v!).ToList();
        Assert.All(ordered, q => Assert.False(string.IsNullOrEmpty(q)));
        Assert.Equal(ordered.Order(StringComparer.Ordinal), ordered);
        Assert.Equal(ordered.Count, ordered.Distinct().Count());
    }

    private Task<ServiceHost> StartSubscriberAsync(Probe probe) =>
        ServiceHost.StartAsync(redis.Server.ConnectionString, Subscriber,
            e => e.Subscribes<Contracts.Events.V1.AgencyRegistered, AgencyHandler>().Subscribes<Contracts.Events.V1.MemberAppointed, MemberHandler>(),
            services: s => s.AddSingleton(probe));

    private Task<ServiceHost> StartPublisherAsync() =>
        ServiceHost.StartAsync(redis.Server.ConnectionString, "svc-pub",
            e => e.Publishes<Contracts.Events.V1.AgencyRegistered>().Publishes<Contracts.Events.V1.MemberAppointed>());

    private async Task<long> PendingAsync(string topic)
    {
        try
        {
            return (await Db.StreamPendingAsync(TestEvents.Stream(topic), Subscriber)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return -1;
        }
    }
}
