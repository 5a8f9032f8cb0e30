using System.Net;
using System.Text;
using System.Text.Json;
using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.Storage;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// The dapr transport at its protocol boundary (daprd cannot run here): what the app sends to the
/// sidecar's PublishEvent, what it answers on /dapr/subscribe, and how it handles the sidecar's POSTs.
/// </summary>
public sealed class DaprEventBusTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Subscriber = "svc-dsub";
    private const string AppApiToken = "app-token-from-the-sidecar-injector";
    private const string DaprApiToken = "dapr-token-for-the-sidecar";
    private static readonly string[] SidecarSettings = ["--DAPR_GRPC_ENDPOINT=http://127.0.0.1:1", "--DAPR_HTTP_ENDPOINT=http://127.0.0.1:1"];

    private IDatabase Db => redis.Server.Connection.GetDatabase();

    public Task InitializeAsync() => redis.Server.FlushAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Route(string topic) => "/events/" + topic;

    [Fact]
    public async Task OutboxEventIsPublishedToTheSidecarAsACloudEventOnTheBcdPubSub()
    {
        await using var sidecar = await FakeDaprSidecarHost.StartAsync();
        await using var publisher = await ServiceHost.StartAsync(redis.Server.ConnectionString, "svc-dpub",
            e => e.Publishes<AgencyRegistered>(), transport: "Dapr",
            settings: [$"--DAPR_GRPC_ENDPOINT={sidecar.GrpcEndpoint}", "--DAPR_HTTP_ENDPOINT=http://127.0.0.1:1"]);

        var store = publisher.Services.GetRequiredService<RedisStore>();
        var changes = store.NewChangeSet()
            .Save(store.Keys.Aggregate("agency", "so-xay-dung"), 0, new StringValue { Value = "agency" })
            .Publish(TestEvents.Agency("so-xay-dung"), TestEvents.Committee);
        await store.CommitAsync(changes);
        var outboxEvent = changes.Events[0];

        var published = await Eventually.ValueAsync(() => Task.FromResult(sidecar.Sidecar.Published), p => p.Count > 0, "a PublishEvent call");

        var request = Assert.Single(published);
        Assert.Equal("bcd-pubsub", request.PubsubName);
        Assert.Equal("bcd.events.v1.AgencyRegistered", request.Topic);
        Assert.Equal("application/cloudevents+json", request.DataContentType);
        using var cloudEvent = JsonDocument.Parse(request.Data.ToStringUtf8());
        var root = cloudEvent.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(outboxEvent.Id, root.GetProperty("id").GetString());
        Assert.Equal("/bcd/svc-dpub", root.GetProperty("source").GetString());
        Assert.Matches("^[0-9]{20}-[0-9]{20}$", root.GetProperty("sequence").GetString());
        Assert.Equal("bcd.events.v1.AgencyRegistered", root.GetProperty("type").GetString());
        Assert.Equal(TestEvents.Committee, root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), out _));
        Assert.Equal("so-xay-dung", root.GetProperty("data").GetProperty("agency").GetProperty("agencyId").GetString());

        // The relay moved its cursor past the entry: it is not published again.
        await Eventually.TrueAsync(async () => (string?)await Db.StringGetAsync("svc-dpub:outbox:cursor") is not null, "the relay cursor");
        Assert.Single(sidecar.Sidecar.Published);
    }

    [Fact]
    public async Task SubscribeEndpointListsEverySubscriptionWithItsRouteAndDeadLetterTopic()
    {
        await using var subscriber = await StartSubscriberAsync(new Probe());
        using var http = subscriber.CreateHttpClient();

        var response = await http.GetAsync("/dapr/subscribe");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var subscriptions = json.RootElement.EnumerateArray().ToList();

        Assert.Equal(
            [TestEvents.AgencyTopic, TestEvents.MemberTopic],
            subscriptions.Select(s => s.GetProperty("topic").GetString()).Order(StringComparer.Ordinal));
        // daprd reads these names case-insensitively (Go's encoding/json); the SDK writes "pubsubName".
        Assert.All(subscriptions, s =>
        {
            var topic = s.GetProperty("topic").GetString()!;
            Assert.Equal("bcd-pubsub", Property(s, "pubsubname"));
            Assert.Equal(Route(topic), "/" + Property(s, "route")!.TrimStart('/'));
            Assert.Equal("bcd.deadletter." + Subscriber, Property(s, "deadLetterTopic"));
        });
    }

    [Fact]
    public async Task CloudEventPostedByTheSidecarReachesTheHandlerOnceEvenWhenRedelivered()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        using var http = subscriber.CreateHttpClient();
        var cloudEvent = TestEvents.CloudEventJson("evt-dapr-1", TestEvents.Agency("so-y-te"));

        var first = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, cloudEvent);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(["so-y-te"], await Effects.ReadAsync(Db, Subscriber));
        Assert.Equal("evt-dapr-1", (string?)await Db.HashGetAsync(Subscriber + ":agency-events", "so-y-te"));

        var second = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, cloudEvent);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(["so-y-te"], await Effects.ReadAsync(Db, Subscriber));
        Assert.Equal(1, probe.Calls);

        // Another event on the other route is handled by its own handler.
        var member = await PostAsSidecarAsync(http, TestEvents.MemberTopic, TestEvents.CloudEventJson("evt-dapr-2", TestEvents.Member("p9")));
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        Assert.Equal(["so-y-te", "member:p9"], await Effects.ReadAsync(Db, Subscriber));
    }

    [Fact]
    public async Task HandlerFailureAnswers500SoTheSidecarRetriesAndTheRetryIsHandled()
    {
        var probe = Probe.Failing();
        await using var subscriber = await StartSubscriberAsync(probe);
        using var http = subscriber.CreateHttpClient();
        var cloudEvent = TestEvents.CloudEventJson("evt-dapr-fail", TestEvents.Agency("so-cong-thuong"));

        var failed = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, cloudEvent);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));
        Assert.False(await Db.KeyExistsAsync(Subscriber + ":inbox:evt-dapr-fail"));

        probe.Behavior = _ => Task.CompletedTask;
        var retried = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, cloudEvent);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(["so-cong-thuong"], await Effects.ReadAsync(Db, Subscriber));
    }

    [Fact]
    public async Task DeliveryWithoutACloudEventIdIsRefusedWith500AndChangesNothing()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe);
        using var http = subscriber.CreateHttpClient();

        // Plain JSON, not a CloudEvent: there is no id for the inbox, so it must not be handled.
        using var content = new StringContent(Google.Protobuf.JsonFormatter.Default.Format(TestEvents.Agency("so-x")), Encoding.UTF8, "application/json");
        var response = await http.PostAsync(Route(TestEvents.AgencyTopic), content);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, probe.Calls);
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));
    }

    [Fact]
    public async Task PublishCarriesTheConfiguredDaprApiTokenToTheSidecar()
    {
        await using var sidecar = await FakeDaprSidecarHost.StartAsync();
        await using var publisher = await ServiceHost.StartAsync(redis.Server.ConnectionString, "svc-dtok",
            e => e.Publishes<AgencyRegistered>(), transport: "Dapr",
            settings: [$"--DAPR_GRPC_ENDPOINT={sidecar.GrpcEndpoint}", "--DAPR_HTTP_ENDPOINT=http://127.0.0.1:1", "--DAPR_API_TOKEN=" + DaprApiToken]);

        var store = publisher.Services.GetRequiredService<RedisStore>();
        await store.CommitAsync(store.NewChangeSet()
            .Save(store.Keys.Aggregate("agency", "so-tu-phap"), 0, new StringValue { Value = "agency" })
            .Publish(TestEvents.Agency("so-tu-phap"), TestEvents.Committee));

        var tokens = await Eventually.ValueAsync(() => Task.FromResult(sidecar.Sidecar.ApiTokens), t => t.Count > 0, "a PublishEvent call");
        Assert.Equal([DaprApiToken], tokens);
    }

    [Fact]
    public async Task SubscriptionPostWithoutTheAppApiTokenIsRefusedAndNotHandled()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe, appApiToken: AppApiToken);
        using var http = subscriber.CreateHttpClient();

        var response = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, TestEvents.CloudEventJson("evt-notoken", TestEvents.Agency("so-a")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, probe.Calls);
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));
        Assert.False(await Db.KeyExistsAsync(Subscriber + ":inbox:evt-notoken"));
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData(AppApiToken + "x")]
    [InlineData("")]
    public async Task SubscriptionPostWithAWrongAppApiTokenIsRefusedAndNotHandled(string token)
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe, appApiToken: AppApiToken);
        using var http = subscriber.CreateHttpClient();

        var response = await PostAsSidecarAsync(http, TestEvents.MemberTopic, TestEvents.CloudEventJson("evt-badtoken", TestEvents.Member("p1")), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, probe.Calls);
        Assert.Empty(await Effects.ReadAsync(Db, Subscriber));
    }

    [Fact]
    public async Task SubscriptionPostWithTheAppApiTokenIsHandled()
    {
        var probe = new Probe();
        await using var subscriber = await StartSubscriberAsync(probe, appApiToken: AppApiToken);
        using var http = subscriber.CreateHttpClient();

        var response = await PostAsSidecarAsync(http, TestEvents.AgencyTopic, TestEvents.CloudEventJson("evt-token", TestEvents.Agency("so-b")), AppApiToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, probe.Calls);
        Assert.Equal(["so-b"], await Effects.ReadAsync(Db, Subscriber));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData(AppApiToken, HttpStatusCode.OK)]
    public async Task SubscribeEndpointRequiresTheAppApiTokenWhenOneIsConfigured(string? token, HttpStatusCode expected)
    {
        await using var subscriber = await StartSubscriberAsync(new Probe(), appApiToken: AppApiToken);
        using var http = subscriber.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(2, json.RootElement.GetArrayLength());
        }
        else
        {
            Assert.DoesNotContain(TestEvents.AgencyTopic, await response.Content.ReadAsStringAsync());
        }
    }

    private static string? Property(JsonElement element, string name) =>
        element.EnumerateObject().SingleOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value is
            { ValueKind: JsonValueKind.String } value
            ? value.GetString()
            : null;

    private Task<ServiceHost> StartSubscriberAsync(Probe probe, string? appApiToken = null) =>
        ServiceHost.StartAsync(redis.Server.ConnectionString, Subscriber,
            e => e.Subscribes<AgencyRegistered, AgencyHandler>().Subscribes<MemberAppointed, MemberHandler>(),
            transport: "Dapr",
            services: s => s.AddSingleton(probe),
            settings: appApiToken is null ? SidecarSettings : [.. SidecarSettings, "--APP_API_TOKEN=" + appApiToken]);

    /// <summary>What daprd sends to a subscription route: the structured CloudEvent, as application/cloudevents+json.</summary>
    private static async Task<HttpResponseMessage> PostAsSidecarAsync(HttpClient http, string topic, string cloudEvent, string? appApiToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route(topic)) { Content = new StringContent(cloudEvent, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/cloudevents+json");
        if (appApiToken is not null)
        {
            request.Headers.Add("dapr-api-token", appApiToken);
        }

        return await http.SendAsync(request);
    }
}
