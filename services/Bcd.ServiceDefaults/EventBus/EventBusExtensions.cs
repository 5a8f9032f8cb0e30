using System.Text;
using Bcd.ServiceDefaults.Storage;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.EventBus;

public static partial class EventBusExtensions
{
    /// <summary>What the sidecar sends to the app (the sidecar injector sets it from dapr.io/app-token-secret).</summary>
    public const string AppApiTokenKey = "APP_API_TOKEN";

    /// <summary>
    /// Declares what this service publishes and subscribes to, and wires the outbox relay and the
    /// transport chosen by EventBus:Transport (redis | dapr).
    /// </summary>
    public static IHostApplicationBuilder AddEventBus(this IHostApplicationBuilder builder, Action<EventCatalog> declare)
    {
        var service = builder.Configuration.GetServiceName();
        var catalog = new EventCatalog(service);
        declare(catalog);
        builder.Services.AddSingleton(catalog);
        foreach (var subscription in catalog.Subscriptions)
        {
            builder.Services.TryAddScoped(subscription.HandlerType);
        }

        builder.Services.Configure<EventBusOptions>(builder.Configuration.GetSection(EventBusOptions.SectionName));
        var options = builder.Configuration.GetSection(EventBusOptions.SectionName).Get<EventBusOptions>() ?? new EventBusOptions();
        builder.Services.AddSingleton<IntegrationEventDispatcher>();

        if (options.Transport == EventTransportKind.Dapr)
        {
            // The client reads DAPR_GRPC_ENDPOINT and DAPR_API_TOKEN (which the sidecar requires when
            // dapr.io/api-token-secret is set) from IConfiguration, so env vars and test settings both reach it.
            builder.Services.AddDaprClient();
            builder.Services.AddSingleton<IEventTransport, DaprTransport>();
        }
        else
        {
            builder.Services.AddSingleton(sp =>
            {
                var events = builder.Configuration.GetConnectionString("events");
                return new EventsRedis(string.IsNullOrEmpty(events)
                    ? sp.GetRequiredService<IConnectionMultiplexer>()
                    : ConnectionMultiplexer.Connect(RedisConnections.Options(events, service, builder.Configuration)));
            });
            builder.Services.AddSingleton<IEventTransport, RedisStreamsTransport>();
            if (catalog.Subscriptions.Count > 0)
            {
                builder.Services.AddSingleton<RedisStreamsSubscriber>();
                builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisStreamsSubscriber>());
            }
        }

        if (options.RelayEnabled)
        {
            builder.Services.AddSingleton<OutboxRelay>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        }

        builder.Services.AddHealthChecks().AddCheck<EventTransportHealthCheck>("event-transport", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// In Dapr mode: CloudEvents unwrapping, /dapr/subscribe and one route per subscription, each with
    /// its dead-letter topic. The route answers 200 when handled (or handled before) and 500 otherwise,
    /// so the sidecar's resiliency policy retries and finally dead-letters it.
    /// When APP_API_TOKEN is set (on a cluster) every one of these routes requires the sidecar's token;
    /// without it (local runs) they stay open, as only the local sidecar can reach them.
    /// </summary>
    public static WebApplication MapEventBus(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<EventBusOptions>>().Value;
        var catalog = app.Services.GetService<EventCatalog>();
        if (catalog is null || options.Transport != EventTransportKind.Dapr)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventBusExtensions));
        var tokenFilter = app.Configuration[AppApiTokenKey] is { Length: > 0 } token ? new DaprAppTokenFilter(token, logger) : null;
        RequireSidecar(app.MapSubscribeHandler(), tokenFilter);
        foreach (var subscription in catalog.Subscriptions)
        {
            var route = app.MapPost("/events/" + subscription.Topic, (HttpContext http, IntegrationEventDispatcher dispatcher) =>
                    HandleDaprDeliveryAsync(http, subscription, dispatcher, logger))
                .WithTopic(new TopicOptions
                {
                    PubsubName = options.PubSubName,
                    Name = subscription.Topic,
                    DeadLetterTopic = subscription.DeadLetterTopic,
                })
                .AllowAnonymous();
            RequireSidecar(route, tokenFilter);
        }

        return app;
    }

    private static void RequireSidecar(IEndpointConventionBuilder route, DaprAppTokenFilter? filter)
    {
        if (filter is not null)
        {
            route.AddEndpointFilter(filter);
        }
    }

    /// <summary>Must run before routing so subscription routes receive the CloudEvent.</summary>
    public static WebApplication UseEventBusMiddleware(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<EventBusOptions>>().Value;
        if (options.Transport == EventTransportKind.Dapr)
        {
            // The middleware unwraps the data; the attributes, among them the id the inbox needs, come as headers.
            app.UseCloudEvents(new CloudEventsMiddlewareOptions
            {
                ForwardCloudEventPropertiesAsHeaders = true,
                IncludedCloudEventPropertiesAsHeaders = ["id", "source", "type", "time", "subject", "traceparent", "sequence"],
            });
        }

        return app;
    }

    private static async Task<IResult> HandleDaprDeliveryAsync(
        HttpContext http, Subscription subscription, IntegrationEventDispatcher dispatcher, ILogger logger)
    {
        try
        {
            string data;
            using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
            {
                data = await reader.ReadToEndAsync(http.RequestAborted);
            }

            var id = Header(http, "id") ?? throw new MalformedEventException("The delivery carries no CloudEvent id.");
            var time = Header(http, "time") is { } t
                ? DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture)
                : DateTimeOffset.MinValue;
            var envelope = new CloudEventEnvelope(id, Header(http, "source") ?? string.Empty,
                Header(http, "type") ?? subscription.Topic, Header(http, "subject") ?? string.Empty, time,
                Header(http, "traceparent") ?? string.Empty, data)
            {
                Sequence = Header(http, "sequence") ?? string.Empty,
            };
            await dispatcher.DispatchAsync(envelope, http.RequestAborted);
            return Results.Ok(new { status = "SUCCESS" });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDaprDeliveryFailed(logger, ex, subscription.Topic);
            return Results.Json(new { status = "RETRY" }, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    // The Dapr middleware forwards CloudEvent attributes as "Cloudevent.<name>" headers.
    private static string? Header(HttpContext http, string attribute)
    {
        foreach (var name in new[] { "Cloudevent." + attribute, "Cloudevent-" + attribute, "ce-" + attribute })
        {
            if (http.Request.Headers.TryGetValue(name, out var value) && value.Count > 0 && !string.IsNullOrEmpty(value[0]))
            {
                return value[0];
            }
        }

        return null;
    }

    public static string GetServiceName(this IConfiguration configuration) =>
        configuration["Service:Name"] is { Length: > 0 } name
            ? name
            : throw new InvalidOperationException("Configuration 'Service:Name' is required (e.g. \"membership\").");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dapr delivery of {Topic} failed; the sidecar will retry")]
    private static partial void LogDaprDeliveryFailed(ILogger logger, Exception ex, string topic);
}

/// <summary>Readiness of the event transport (Redis ping or the Dapr sidecar's health).</summary>
public sealed class EventTransportHealthCheck(IEventTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await transport.IsHealthyAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The event transport is not ready.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The event transport is unreachable.", ex);
        }
    }
}
