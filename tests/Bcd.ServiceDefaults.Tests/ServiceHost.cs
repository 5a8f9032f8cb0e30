using Bcd.ServiceDefaults.EventBus;
using Bcd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// A small Bcd service hosted in the test on real loopback sockets: AddServiceDefaults + AddEventBus
/// exactly as a real service wires them, with fast event-bus timings.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private bool _stopped;

    private ServiceHost(WebApplication app, int httpPort, int? grpcPort)
    {
        App = app;
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcAddress = grpcPort is { } p ? new Uri($"http://127.0.0.1:{p}") : null;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri HttpAddress { get; }

    public Uri? GrpcAddress { get; }

    public static async Task<ServiceHost> StartAsync(
        string redis,
        string service,
        Action<EventCatalog> declare,
        string transport = "Redis",
        Action<IServiceCollection>? services = null,
        IEnumerable<string>? settings = null,
        bool grpc = false,
        Action<WebApplication>? map = null)
    {
        var httpPort = FreePort.Next();
        int? grpcPort = grpc ? FreePort.Next() : null;
        var args = new List<string>
        {
            "--environment=Testing",
            $"--Service:Name={service}",
            $"--ConnectionStrings:redis={redis}",
            $"--EventBus:Transport={transport}",
            "--EventBus:ClaimIdleTime=00:00:00.300",
            "--EventBus:PollInterval=00:00:00.050",
            "--EventBus:MaxDeliveryAttempts=3",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--Kestrel:Endpoints:Http:Protocols=Http1",
            "--Logging:LogLevel:Default=Warning",
            // BCD_TEST_LOG=Warning shows the event bus's retries and dead letters while debugging a test.
            "--Logging:LogLevel:Bcd.ServiceDefaults=" + (Environment.GetEnvironmentVariable("BCD_TEST_LOG") ?? "Error"),
        };
        if (grpcPort is { } port)
        {
            args.Add($"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}");
            args.Add("--Kestrel:Endpoints:Grpc:Protocols=Http2");
        }

        args.AddRange(TestTokens.Settings());
        args.AddRange(settings ?? []);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args],
            ApplicationName = typeof(ServiceHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddServiceDefaults();
        builder.AddEventBus(declare);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        await app.StartAsync();
        return new ServiceHost(app, httpPort, grpcPort);
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Stops the app as a crashing or redeployed replica would leave it: its consumers stop mid-work.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await App.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Polling with a deadline: async effects are awaited, never slept on.</summary>
public static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {Describe(value)}");
            }

            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        ValueAsync(probe, v => v, what, timeout);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>()) + "]",
        _ => value.ToString() ?? string.Empty,
    };
}
