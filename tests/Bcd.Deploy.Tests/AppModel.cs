using System.Collections.Concurrent;
using System.Reflection;
using Bcd.Deploy.Tests.Model;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Hosting;
using k8s.Models;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bcd.Deploy.Tests;

/// <summary>A Kestrel endpoint of an app: its configured port and protocols.</summary>
public sealed record KestrelEndpoint(string Name, int Port, string Protocols)
{
    public bool SpeaksHttp1 => Protocols.Contains("Http1", StringComparison.OrdinalIgnoreCase);

    public bool SpeaksHttp2 => Protocols.Contains("Http2", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A topic the app subscribes to and where the sidecar sends what it cannot deliver.</summary>
public sealed record Subscribed(string Topic, string DeadLetterTopic);

/// <summary>
/// What an app says about itself when built with the environment its Deployment gives it
/// (appsettings.json, appsettings.{ASPNETCORE_ENVIRONMENT}.json, then the Deployment's env and
/// ConfigMaps): its endpoints, its events, its shutdown budget. Nothing here is written down twice.
/// </summary>
public sealed class AppModel
{
    // What the app says depends only on the project and its environment, so it is built once per
    // distinct environment; the workload (probes, annotations) is each build's own.
    private static readonly ConcurrentDictionary<string, Lazy<AppModel>> Cache = new();

    private AppModel(Deployable project, Workload workload, IReadOnlyList<string> args)
    {
        Project = project;
        Workload = workload;
        Args = args;
    }

    public Deployable Project { get; }

    public Workload Workload { get; }

    /// <summary>The configuration arguments equivalent to the Deployment's environment.</summary>
    public IReadOnlyList<string> Args { get; }

    public IReadOnlyDictionary<string, KestrelEndpoint> Endpoints { get; private set; } = new Dictionary<string, KestrelEndpoint>();

    public IReadOnlyCollection<string> Published { get; private set; } = [];

    public IReadOnlyList<Subscribed> Subscriptions { get; private set; } = [];

    /// <summary>The pub/sub component the app publishes to (null when it declares no events).</summary>
    public string? PubSubName { get; private set; }

    public TimeSpan ShutdownTimeout { get; private set; }

    /// <summary>The event transport the app wires (null when it declares no events).</summary>
    public EventTransportKind? Transport { get; private set; }

    /// <summary>JWT validation as the app configured it: OIDC authority, issuer and audience.</summary>
    public (string? Authority, string? Issuer, string? Audience) Jwt { get; private set; }

    /// <summary>Origins of the CORS policy the gateway's routes use (empty for services).</summary>
    public IReadOnlyCollection<string> CorsOrigins { get; private set; } = [];

    /// <summary>ReverseProxy cluster destination addresses (the gateway), by "cluster/destination".</summary>
    public IReadOnlyDictionary<string, string> Destinations { get; private set; } = new Dictionary<string, string>();

    /// <summary>The same app as if its code declared these subscriptions too (tests of the topic rule).</summary>
    public AppModel WithSubscriptions(params Subscribed[] more) => Copy(Workload, [.. Subscriptions, .. more]);

    private AppModel WithWorkload(Workload workload) => Copy(workload, Subscriptions);

    private AppModel Copy(Workload workload, IReadOnlyList<Subscribed> subscriptions) => new(Project, workload, Args)
    {
        Endpoints = Endpoints,
        Published = Published,
        Subscriptions = subscriptions,
        PubSubName = PubSubName,
        ShutdownTimeout = ShutdownTimeout,
        Destinations = Destinations,
        Transport = Transport,
        Jwt = Jwt,
        CorsOrigins = CorsOrigins,
    };

    /// <summary>Builds (without starting) the app the workload runs, once per distinct environment.</summary>
    public static AppModel For(Deployable project, Workload workload, ManifestSet manifests)
    {
        var args = ConfigurationArgs(project, workload.App, manifests);
        var key = project.Name + "\n" + string.Join("\n", args);
        var facts = Cache.GetOrAdd(key, _ => new Lazy<AppModel>(() => Build(project, workload, args))).Value;
        return facts.Workload == workload ? facts : facts.WithWorkload(workload);
    }

    /// <summary>Builds the app through its IBcdApp.Create, as Program.cs does.</summary>
    public static WebApplication Create(Type appType, IEnumerable<string> args)
    {
        var method = typeof(AppModel).GetMethod(nameof(CreateApp), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(appType);
        try
        {
            return (WebApplication)method.Invoke(null, [args.ToArray()])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"{appType.Name} does not build with its Deployment's environment: {ex.InnerException.Message}", ex.InnerException);
        }
    }

    private static WebApplication CreateApp<T>(string[] args) where T : IBcdApp => T.Create(args);

    private static AppModel Build(Deployable project, Workload workload, IReadOnlyList<string> args)
    {
        var model = new AppModel(project, workload, args);
        // Built, never started: nothing it logs matters here.
        var app = Create(project.AppType, [.. args, "--Logging:LogLevel:Default=None"]);
        try
        {
            var configuration = app.Configuration;
            model.Endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
                .Select(e => new KestrelEndpoint(e.Key, new Uri(e["Url"]!.Replace("+", "localhost").Replace("*", "localhost")).Port,
                    e["Protocols"] ?? "Http1AndHttp2"))
                .ToDictionary(e => e.Name);
            if (app.Services.GetService<EventCatalog>() is { } catalog)
            {
                model.Published = catalog.PublishedTopics.ToList();
                model.Subscriptions = catalog.Subscriptions.Select(s => new Subscribed(s.Topic, s.DeadLetterTopic)).ToList();
                var bus = app.Services.GetRequiredService<IOptions<EventBusOptions>>().Value;
                model.PubSubName = bus.PubSubName;
                model.Transport = bus.Transport;
            }

            var jwt = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
            model.Jwt = (jwt.Authority, jwt.TokenValidationParameters.ValidIssuer, jwt.TokenValidationParameters.ValidAudience);
            var cors = app.Services.GetService<IOptions<CorsOptions>>()?.Value;
            model.CorsOrigins = cors?.GetPolicy("frontends")?.Origins.ToList() ?? [];

            model.ShutdownTimeout = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
            model.Destinations = configuration.GetSection("ReverseProxy:Clusters").GetChildren()
                .SelectMany(c => c.GetSection("Destinations").GetChildren().Select(d => (Key: $"{c.Key}/{d.Key}", Address: d["Address"])))
                .Where(d => !string.IsNullOrEmpty(d.Address))
                .ToDictionary(d => d.Key, d => d.Address!);
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }

        return model;
    }

    /// <summary>
    /// The container's environment as configuration arguments: env entries and envFrom ConfigMaps,
    /// "__" read as ":", the ASPNETCORE_/DOTNET_ prefixes read as host settings. Secret-backed values
    /// are stand-ins: their presence matters here, not their content.
    /// </summary>
    public static List<string> ConfigurationArgs(Deployable project, V1Container container, ManifestSet manifests)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } reference && manifests.ConfigMap(reference.Name) is { Data: { } data })
            {
                foreach (var (key, value) in data)
                {
                    environment[(source.Prefix ?? string.Empty) + key] = value;
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.ValueFrom switch
            {
                null => variable.Value ?? string.Empty,
                { SecretKeyRef: not null } => "secret-from-cluster",
                { ConfigMapKeyRef: { } key } => manifests.ConfigMap(key.Name)?.Data?.TryGetValue(key.Key, out var v) == true ? v! : string.Empty,
                _ => "from-cluster",
            };
        }

        var args = new List<string> { $"--contentRoot={project.ProjectDir}" };
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var key = name;
            foreach (var prefix in new[] { "ASPNETCORE_", "DOTNET_" })
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    key = key[prefix.Length..];
                }
            }

            args.Add($"--{key.Replace("__", ":", StringComparison.Ordinal)}={value}");
        }

        return args;
    }
}
