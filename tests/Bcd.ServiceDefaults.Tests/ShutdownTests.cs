using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Storage;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// What a pod does between SIGTERM and exit: requests in flight finish, the outbox relay publishes what
/// is left within its bound and hands its lease over, and the whole stop fits Shutdown:TimeoutSeconds.
/// </summary>
public sealed class ShutdownTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Publisher = "svc-stop";

    private IDatabase Db => redis.Server.Connection.GetDatabase();

    private static string AgencyStream => TestEvents.Stream(TestEvents.AgencyTopic);

    private static string Lease => Publisher + ":outbox:lock";

    public Task InitializeAsync() => redis.Server.FlushAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RequestInFlightWhenStopBeginsCompletesAndTheRelayStillPublishesWhatItCommitted()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher,
            e => e.Publishes<AgencyRegistered>(),
            map: app => app.MapPost("/slow", async (RedisStore store) =>
            {
                entered.TrySetResult();
                await release.Task;
                await store.CommitAsync(store.NewChangeSet()
                    .Save(store.Keys.Aggregate("agency", "so-drain"), 0, new StringValue { Value = "agency" })
                    .Publish(TestEvents.Agency("so-drain"), TestEvents.Committee));
                return Results.Text("done");
            }));
        using var http = host.CreateHttpClient();
        await Eventually.TrueAsync(() => Db.KeyExistsAsync(Lease), "the relay's lease");

        var request = http.PostAsync("/slow", null);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = host.StopAsync();
        try
        {
            // The web server has begun to stop (it takes no new connections) ...
            await Eventually.TrueAsync(() => RefusesConnectionsAsync(host.HttpAddress), "the server to stop listening");
            // ... yet waits for the request, and the relay, stopped only after it, keeps its lease meanwhile.
            // Watched for a while: a relay stopped alongside the server lets go within tens of milliseconds.
            await AssertStaysTrueAsync(() => Db.KeyExistsAsync(Lease), TimeSpan.FromMilliseconds(500), "the relay's lease during the drain");
            Assert.False(stopping.IsCompleted);
        }
        finally
        {
            release.TrySetResult();
        }

        var response = await request;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        // The event the drained request committed left with the relay, which then released its lease.
        var published = Assert.Single(await Db.StreamRangeAsync(AgencyStream));
        Assert.Contains("so-drain", (string?)published["cloudevent"]);
        Assert.False(await Db.KeyExistsAsync(Lease));
    }

    [Fact]
    public async Task EventTheRelayHasNotReachedIsPublishedByTheShutdownFlushAndTheLeaseIsReleased()
    {
        var reads = await OutboxReadsAsync();
        var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher,
            e => e.Publishes<AgencyRegistered>(), settings: ["--EventBus:PollInterval=00:10:00"]);
        RedisValue entryId;
        await using (host)
        {
            // After its first (empty) read the relay waits for a wake-up that never comes: the entry below
            // is appended as another replica's commit would leave it, without this process's signal.
            await Eventually.TrueAsync(async () => await OutboxReadsAsync() > reads, "the relay's first read of the outbox");
            entryId = await AppendToOutboxAsync("evt-flush", TestEvents.Agency("so-khoa-hoc"));
            Assert.Equal(0, await Db.StreamLengthAsync(AgencyStream));

            await host.StopAsync();
        }

        var published = Assert.Single(await Db.StreamRangeAsync(AgencyStream));
        using var cloudEvent = JsonDocument.Parse((string)published["cloudevent"]!);
        Assert.Equal("evt-flush", cloudEvent.RootElement.GetProperty("id").GetString());
        Assert.Equal(entryId.ToString(), (string?)await Db.StringGetAsync(Publisher + ":outbox:cursor"));
        Assert.False(await Db.KeyExistsAsync(Lease));
    }

    [Fact]
    public async Task FlushThatRunsOutOfTimeLeavesTheEventInTheOutboxForTheNextRelay()
    {
        var hanging = new HangingTransport();
        var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher,
            e => e.Publishes<AgencyRegistered>(),
            services: s => s.AddSingleton<IEventTransport>(hanging),
            settings: ["--EventBus:PollInterval=00:10:00", "--Shutdown:RelayFlushSeconds=1"]);
        await using (host)
        {
            await Eventually.TrueAsync(() => Db.KeyExistsAsync(Lease), "the relay's lease");
            await AppendToOutboxAsync("evt-late", TestEvents.Agency("so-ngoai-vu"));

            var clock = Stopwatch.StartNew();
            await host.StopAsync();

            // Bounded by Shutdown:RelayFlushSeconds, far inside the 10 s the test host allows for the stop.
            Assert.True(hanging.Entered.Task.IsCompleted, "the flush tried to publish");
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }

        Assert.True((await Db.StringGetAsync(Publisher + ":outbox:cursor")).IsNull);
        Assert.False(await Db.KeyExistsAsync(Lease));

        // The next relay (another replica or this one restarted) publishes it: nothing was lost.
        await using var next = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher, e => e.Publishes<AgencyRegistered>());
        var published = await Eventually.ValueAsync(() => Db.StreamRangeAsync(AgencyStream), e => e.Length > 0, "the next relay's publish");
        Assert.Contains("evt-late", (string?)Assert.Single(published)["cloudevent"]);
    }

    [Theory]
    [InlineData(null, 25)]
    [InlineData("7", 7)]
    public async Task HostShutdownTimeoutComesFromShutdownTimeoutSeconds(string? configured, int expectedSeconds)
    {
        await using var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher,
            e => e.Publishes<AgencyRegistered>(), settings: configured is null ? [] : [$"--Shutdown:TimeoutSeconds={configured}"]);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("0", "5")]
    [InlineData("-1", "5")]
    [InlineData("25", "-1")]
    [InlineData("10", "10")]
    public void ShutdownSettingsThatCannotWorkAreRefusedAtStart(string timeoutSeconds, string relayFlushSeconds)
    {
        var builder = Host.CreateApplicationBuilder(
            [$"--Shutdown:TimeoutSeconds={timeoutSeconds}", $"--Shutdown:RelayFlushSeconds={relayFlushSeconds}"]);

        Assert.Throws<InvalidOperationException>(() => builder.ConfigureShutdown());
    }

    [Fact]
    public async Task RequestStillRunningWhenTheShutdownTimeoutEndsIsCutOff()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using var host = await ServiceHost.StartAsync(redis.Server.ConnectionString, Publisher,
                e => e.Publishes<AgencyRegistered>(), settings: ["--Shutdown:TimeoutSeconds=1", "--Shutdown:RelayFlushSeconds=0"],
                map: app => app.MapGet("/stuck", async () =>
                {
                    entered.TrySetResult();
                    await never.Task;
                    return Results.Ok();
                }));
            using var http = host.CreateHttpClient();
            var request = http.GetAsync("/stuck");
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

            var clock = Stopwatch.StartNew();
            await host.StopAsync();

            // One second to drain plus Kestrel's own second to abort, not the 10 s the test host would wait.
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => request);
        }
        finally
        {
            never.TrySetResult();
        }
    }

    /// <summary>Appends an event to the publisher's outbox exactly as a commit writes it, but without waking the relay.</summary>
    private Task<RedisValue> AppendToOutboxAsync(string id, AgencyRegistered evt) =>
        Db.StreamAddAsync(Publisher + ":outbox",
        [
            new NameValueEntry("id", id),
            new NameValueEntry("type", AgencyRegistered.Descriptor.FullName),
            new NameValueEntry("subject", TestEvents.Committee),
            new NameValueEntry("time", DateTimeOffset.UtcNow.ToString("O")),
            new NameValueEntry("data", CloudEventEnvelope.Formatter.Format(evt)),
            new NameValueEntry("traceparent", string.Empty),
        ]);

    /// <summary>XRANGE calls the server has answered: in this class only a relay reads a stream that way.</summary>
    private async Task<long> OutboxReadsAsync()
    {
        var connection = redis.Server.Connection;
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoRawAsync("commandstats") ?? string.Empty;
        var line = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("cmdstat_xrange:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(':')[1].Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The one place a test waits on the clock: to show that something does not happen for a while.</summary>
    private static async Task AssertStaysTrueAsync(Func<Task<bool>> probe, TimeSpan duration, string what)
    {
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            Assert.True(await probe(), what + " ended early");
            await Task.Delay(20);
        }
    }

    private static async Task<bool> RefusesConnectionsAsync(Uri address)
    {
        // A fresh client each time: the probe must open a new connection, not reuse one the server still serves.
        using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await probe.GetAsync(BcdServiceDefaultsExtensions.LivePath);
            return false;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }

    /// <summary>A transport whose publish never returns until cancelled, like a sidecar that stopped answering.</summary>
    private sealed class HangingTransport : IEventTransport
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task PublishAsync(CloudEventEnvelope envelope, CancellationToken ct)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }

        public Task<bool> IsHealthyAsync(CancellationToken ct) => Task.FromResult(true);
    }
}
