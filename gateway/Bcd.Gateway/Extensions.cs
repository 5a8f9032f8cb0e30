using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Bcd.Gateway.Health;
using Bcd.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using StatusCode = Grpc.Core.StatusCode;
using Yarp.ReverseProxy.Forwarder;

namespace Bcd.Gateway;

internal static partial class Extensions
{
    /// <summary>Rate limiter policy that routes name in RateLimiterPolicy.</summary>
    public const string PerCallerRateLimit = "per-caller";

    /// <summary>CORS policy that routes name in CorsPolicy.</summary>
    public const string FrontEndsCors = "frontends";

    /// <summary>Request timeout policy that routes name in TimeoutPolicy.</summary>
    public const string ProxyTimeout = "proxy";

    public const string HealthzPath = "/healthz";

    public static void AddGatewayServices(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.Configure<RateLimitingOptions>(configuration.GetSection(RateLimitingOptions.SectionName));
        builder.Services.Configure<HealthzOptions>(configuration.GetSection(HealthzOptions.SectionName));

        // Kestrel binds endpoints from "Kestrel" by itself, but not its limits (MaxRequestBodySize, HTTP/2 settings).
        builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

        builder.ConfigureShutdown();
        builder.ConfigureOpenTelemetry("Yarp.ReverseProxy");

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddCheck<DestinationsHealthCheck>("clusters", tags: ["clusters"]);

        builder.Services.AddBcdAuthentication(configuration);
        builder.Services.Configure<AuthorizationOptions>(GatewayPolicies.Add);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, GatewayAuthorizationResultHandler>();

        var cors = configuration.GetSection(GatewayCorsOptions.SectionName).Get<GatewayCorsOptions>() ?? new GatewayCorsOptions();
        builder.Services.AddCors(options => options.AddPolicy(FrontEndsCors, policy => policy
            .WithOrigins(cors.AllowedOrigins)
            .AllowAnyMethod()
            .AllowAnyHeader()
            // Browsers hide response headers unless exposed; gRPC-Web clients need these to read errors.
            .WithExposedHeaders(GatewayResponses.GrpcStatusHeader, GatewayResponses.GrpcMessageHeader, "grpc-status-details-bin")
            .SetPreflightMaxAge(TimeSpan.FromSeconds(cors.PreflightMaxAgeSeconds))));

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PerCallerRateLimit, context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitingOptions>>().CurrentValue;
                return RateLimitPartition.GetFixedWindowLimiter(CallerPartition(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit,
                    Window = TimeSpan.FromSeconds(settings.WindowSeconds),
                    QueueLimit = 0,
                });
            });
            options.OnRejected = OnRateLimitedAsync;
        });

        var timeouts = configuration.GetSection(TimeoutOptions.SectionName).Get<TimeoutOptions>() ?? new TimeoutOptions();
        builder.Services.AddRequestTimeouts(options => options.AddPolicy(ProxyTimeout, new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(timeouts.ProxySeconds),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = context => GatewayResponses.WriteErrorAsync(
                context, StatusCode.DeadlineExceeded, StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
        }));

        builder.Services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy"));
    }

    public static void UseGateway(this WebApplication app)
    {
        app.UseRouting();
        // CORS answers preflights before authentication: browsers send them without the token.
        app.UseCors();
        app.UseAuthentication();
        // After authentication so the partition is the token's subject; before authorization so a
        // flood of refused calls is limited too.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseRequestTimeouts();

        app.MapHealthChecks(BcdServiceDefaultsExtensions.LivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") })
            .AllowAnonymous();
        // Readiness is the gateway's own: a service being down must not take the gateway out of
        // rotation as well. /healthz reports the services.
        app.MapHealthChecks(BcdServiceDefaultsExtensions.ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") })
            .AllowAnonymous();
        app.MapHealthChecks(HealthzPath, new HealthCheckOptions { ResponseWriter = HealthzWriter.WriteAsync })
            .AllowAnonymous();

        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ForwarderErrorsAsStatusAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
    }

    private static string CallerPartition(HttpContext context) =>
        context.User.FindFirstValue(BcdClaims.Subject) is { Length: > 0 } subject
            ? "sub:" + subject
            : "ip:" + context.Connection.RemoteIpAddress;

    private static async ValueTask OnRateLimitedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
        if (retryAfter is { } delay)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bcd.Gateway.RateLimiting");
        LogRateLimited(logger, CallerPartition(context), context.Request.Path);
        await GatewayResponses.WriteErrorAsync(context, StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests,
            retryAfter is { } d
                ? $"Too many requests; retry after {Math.Ceiling(d.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s."
                : "Too many requests; retry later.");
    }

    /// <summary>
    /// YARP answers a failed forward with a bare 502/503/504; gRPC clients would read those as
    /// UNAVAILABLE with no reason. Give every client the reason in its own terms.
    /// </summary>
    private static async Task ForwarderErrorsAsStatusAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        // The route's Timeout (RequestTimeouts middleware) cancels the request token, which YARP
        // reports as a cancelled request; tell it apart from a client that went away.
        var timedOut = error.Error == ForwarderError.RequestTimedOut ||
            context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        if (timedOut)
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
        }

        var (code, message) = error.Error switch
        {
            _ when timedOut => (StatusCode.DeadlineExceeded, "The service did not answer in time."),
            ForwarderError.NoAvailableDestinations => (StatusCode.Unavailable, "No healthy instance of the service is available."),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled => (StatusCode.Cancelled, "The call was cancelled."),
            ForwarderError.RequestBodyClient when context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (StatusCode.ResourceExhausted, "The request body exceeds the gateway's size limit."),
            ForwarderError.RequestBodyClient => (StatusCode.InvalidArgument, "The request body could not be read."),
            _ => (StatusCode.Unavailable, "The service could not be reached."),
        };
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bcd.Gateway.Forwarder");
        LogForwarderError(logger, error.Error, context.Request.Path, error.Exception);
        await GatewayResponses.WriteErrorAsync(context, code, context.Response.StatusCode, message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limit reached for {Partition} on {Path}")]
    private static partial void LogRateLimited(ILogger logger, string partition, PathString path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Path} failed: {ForwarderError}")]
    private static partial void LogForwarderError(ILogger logger, ForwarderError forwarderError, PathString path, Exception? exception);
}
