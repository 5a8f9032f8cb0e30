using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Hosting;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ProtoValidate;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Wiring every Bcd service shares (eShop's ServiceDefaults shape): telemetry, health, identity,
/// gRPC with error mapping and validation, the Redis store and the clock.
/// </summary>
public static class BcdServiceDefaultsExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.ConfigureShutdown();
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddBcdAuthentication(builder.Configuration);
        builder.AddRedisStore();
        builder.AddBcdGrpc();
        return builder;
    }

    /// <summary>
    /// Shutdown:TimeoutSeconds bounds the whole stop. On SIGTERM the web server stops first and lets
    /// in-flight requests finish, then background services stop (the outbox relay flushes); past the
    /// timeout what is still open is abandoned, so it must stay below the pod's grace period.
    /// </summary>
    public static IHostApplicationBuilder ConfigureShutdown(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ShutdownOptions.SectionName);
        var shutdown = section.Get<ShutdownOptions>() ?? new ShutdownOptions();

        // Checked at start: a wrong value would otherwise only show when a pod is being stopped.
        if (shutdown.TimeoutSeconds <= 0 || shutdown.RelayFlushSeconds < 0 || shutdown.RelayFlushSeconds >= shutdown.TimeoutSeconds)
        {
            throw new InvalidOperationException(
                "Shutdown:TimeoutSeconds must be positive and Shutdown:RelayFlushSeconds between 0 and less than it (the flush runs inside the timeout).");
        }

        builder.Services.Configure<ShutdownOptions>(section);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.TimeoutSeconds));
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs over OTLP. Instrumentation is registered when an exporter is configured
    /// (OTEL_EXPORTER_OTLP_ENDPOINT, which the AppHost sets for its dashboard) or Telemetry:Enabled is
    /// true: with nowhere to send them, recording spans only costs CPU on every request.
    /// </summary>
    public static IHostApplicationBuilder ConfigureOpenTelemetry(this IHostApplicationBuilder builder, params string[] extraTraceSources)
    {
        var exporter = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!exporter && !builder.Configuration.GetValue<bool>("Telemetry:Enabled"))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource([builder.Environment.ApplicationName, .. extraTraceSources])
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                    !ctx.Request.Path.StartsWithSegments(LivePath) && !ctx.Request.Path.StartsWithSegments(ReadyPath))
                .AddHttpClientInstrumentation());

        if (exporter)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    private static void AddRedisStore(this IHostApplicationBuilder builder)
    {
        var service = builder.Configuration.GetServiceName();
        builder.Services.TryAddSingleton<IConnectionMultiplexer>(_ =>
        {
            var connection = builder.Configuration.GetConnectionString("redis")
                ?? throw new InvalidOperationException("ConnectionStrings:redis is required.");
            return ConnectionMultiplexer.Connect(RedisConnections.Options(connection, service, builder.Configuration));
        });
        builder.Services.TryAddSingleton(new StoreKeys(service));
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.TryAddSingleton<RedisStore>();
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
    }

    private static void AddBcdGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidator>(_ => new Validator(new ValidatorOptions { PreLoadDescriptors = false }));
        builder.Services.AddSingleton<Bcd.ServiceDefaults.Validation.RequestValidator>();
        builder.Services.AddGrpc(o =>
        {
            // Outermost first: errors thrown by validation are mapped too.
            o.Interceptors.Add<ErrorMappingInterceptor>();
            o.Interceptors.Add<ValidationInterceptor>();
            o.EnableDetailedErrors = builder.Environment.IsDevelopment();
        }).AddJsonTranscoding(o =>
        {
            o.JsonSettings.WriteInt64sAsStrings = true;
            o.JsonSettings.IgnoreDefaultValues = true;
            // Error details travel in REST error bodies too; the transcoder must know their types.
            o.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(
                Google.Rpc.BadRequest.Descriptor, Google.Rpc.ErrorInfo.Descriptor,
                Google.Rpc.LocalizedMessage.Descriptor, Google.Rpc.ResourceInfo.Descriptor);
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o =>
        {
            // "" is the whole server; each service name is mapped by MapGrpcServiceWithHealth.
            o.Services.Map(string.Empty, r => r.Tags.Contains("ready"));
        });
    }

    /// <summary>Maps a gRPC service and its grpc.health.v1 entry (readiness of Redis and the transport).</summary>
    public static WebApplication MapBcdGrpcService<TService>(this WebApplication app, string fullServiceName) where TService : class
    {
        app.MapGrpcService<TService>().EnableGrpcWeb();
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Grpc.AspNetCore.HealthChecks.GrpcHealthChecksOptions>>()
            .Value.Services.Map(fullServiceName, r => r.Tags.Contains("ready"));
        return app;
    }

    /// <summary>Health endpoints in every environment, gRPC health and reflection, gRPC-Web, auth, events.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseEventBusMiddleware();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("ready") }).AllowAnonymous();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        app.MapDevelopmentTokens(app.Environment, app.Configuration);
        app.MapEventBus();
        return app;
    }
}

/// <summary>Readiness of the store: Redis answers PING.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.", ex);
        }
    }
}
