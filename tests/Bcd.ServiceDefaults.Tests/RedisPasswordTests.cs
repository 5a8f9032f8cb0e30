using System.Net;
using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.Storage;
using Bcd.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>A redis-server that requires a password, for the apps that must log in with it.</summary>
public sealed class PasswordRedisFixture : IAsyncLifetime
{
    public const string Password = "redis-secret-from-a-kubernetes-secret";

    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync(password: Password);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// On the cluster the connection string (host:port) comes from a ConfigMap and the password from a Secret
/// as Redis__Password: every connection the app makes must log in with Redis:Password.
/// </summary>
public sealed class RedisPasswordTests(PasswordRedisFixture redis) : IClassFixture<PasswordRedisFixture>
{
    [Fact]
    public async Task AppWithRedisPasswordConfiguredBesideAPasswordlessConnectionStringIsReady()
    {
        await using var app = await StartAsync("svc-pw-ok", redis.Server.ConnectionString, PasswordRedisFixture.Password);

        await AssertReadyAsync(app);
    }

    [Fact]
    public async Task AppWithoutTheRedisPasswordIsNotReady()
    {
        await using var app = await StartAsync("svc-pw-none", redis.Server.ConnectionString, password: null);

        await AssertNotReadyAsync(app);
    }

    [Fact]
    public async Task RedisPasswordWinsOverAStalePasswordInTheConnectionString()
    {
        await using var stale = await StartAsync("svc-pw-stale", redis.Server.ConnectionString + ",password=rotated-away", PasswordRedisFixture.Password);
        await using var onlyStale = await StartAsync("svc-pw-only-stale", redis.Server.ConnectionString + ",password=rotated-away", password: null);

        await AssertReadyAsync(stale);
        await AssertNotReadyAsync(onlyStale);
    }

    [Fact]
    public async Task SeparateEventsConnectionAlsoLogsInWithRedisPassword()
    {
        await using var app = await StartAsync("svc-pw-events", redis.Server.ConnectionString, PasswordRedisFixture.Password,
            $"--ConnectionStrings:events={redis.Server.ConnectionString}");

        // Readiness covers the event transport, which uses the events connection.
        await AssertReadyAsync(app);
    }

    [Theory]
    [InlineData("127.0.0.1:6379", "from-secret", "from-secret")]
    [InlineData("127.0.0.1:6379,password=from-configmap", "from-secret", "from-secret")]
    [InlineData("127.0.0.1:6379,password=from-configmap", "", "from-configmap")]
    [InlineData("127.0.0.1:6379,password=from-configmap", null, "from-configmap")]
    [InlineData("127.0.0.1:6379", null, null)]
    public void ConfiguredRedisPasswordReplacesTheConnectionStringsOne(string connectionString, string? configured, string? expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [RedisConnections.PasswordKey] = configured })
            .Build();

        var options = RedisConnections.Options(connectionString, "svc", configuration);

        Assert.Equal(expected, options.Password);
        Assert.False(options.AbortOnConnectFail);
    }

    private static Task<ServiceHost> StartAsync(string service, string connectionString, string? password, params string[] settings) =>
        ServiceHost.StartAsync(connectionString, service, e => e.Publishes<AgencyRegistered>(),
            settings: password is null ? settings : [.. settings, "--Redis:Password=" + password]);

    private static async Task AssertReadyAsync(ServiceHost app)
    {
        using var http = app.CreateHttpClient();
        await Eventually.TrueAsync(
            async () => (await http.GetAsync(BcdServiceDefaultsExtensions.ReadyPath)).StatusCode == HttpStatusCode.OK,
            app.HttpAddress + " to be ready");
    }

    private static async Task AssertNotReadyAsync(ServiceHost app)
    {
        using var http = app.CreateHttpClient();
        var response = await http.GetAsync(BcdServiceDefaultsExtensions.ReadyPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(BcdServiceDefaultsExtensions.LivePath)).StatusCode);
    }
}
