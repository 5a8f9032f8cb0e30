using System.Net;
using System.Text.Json;
using Bcd.Testing;
using k8s.Models;

namespace Bcd.Deploy.Tests;

/// <summary>
/// Each app started with the environment its prod Deployment gives it (only the listening addresses,
/// Redis and the telemetry exporter are swapped for local ones): the probes answer where the
/// manifests send them, and the Dapr sidecar finds the subscriptions the component is scoped for.
/// </summary>
public sealed class AppFitTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string AppToken = "deploy-test-app-token";

    public static TheoryData<string> ProdApps()
    {
        var data = new TheoryData<string>();
        foreach (var app in DeployContext.Load(Overlays.Dir("prod"), production: true).Apps)
        {
            data.Add(app.Workload.Name);
        }

        return data;
    }

    /// <summary>
    /// On the cluster the apps take Redis, the transport, the identity provider and the CORS
    /// origins from their environment, not from their appsettings.json defaults.
    /// </summary>
    [Theory]
    [MemberData(nameof(ProdApps))]
    public void AppTakesTheClusterSettingsFromItsEnvironment(string workload)
    {
        var context = DeployContext.Load(Overlays.Dir("prod"), production: true);
        var app = context.Apps.Single(a => a.Workload.Name == workload);
        var common = context.Manifests.ConfigMap("bcd-common")!.Data;

        Assert.Equal(common["Identity__Authority"], app.Jwt.Authority);
        Assert.Equal(common["Identity__Issuer"], app.Jwt.Issuer);
        Assert.Equal(common["Identity__Audience"], app.Jwt.Audience);
        if (app.PubSubName is not null)
        {
            Assert.Equal(Bcd.ServiceDefaults.EventBus.EventTransportKind.Dapr, app.Transport);
            Assert.Equal(common["EventBus__PubSubName"], app.PubSubName);
            Assert.Contains($"--ConnectionStrings:redis={common["ConnectionStrings__redis"]}", app.Args);
            Assert.Contains(app.Workload.App.Env ?? [], e => e.Name == "Redis__Password" && e.ValueFrom?.SecretKeyRef?.Name == "bcd-redis");
        }

        if (app.Destinations.Count > 0)
        {
            var gateway = context.Manifests.ConfigMap("gateway-config")!.Data;
            Assert.Equal(gateway.Where(e => e.Key.StartsWith("Cors__AllowedOrigins__", StringComparison.Ordinal)).Select(e => e.Value).Order(),
                app.CorsOrigins.Order());
            Assert.NotEmpty(app.CorsOrigins);
        }
    }

    [Theory]
    [MemberData(nameof(ProdApps))]
    public async Task ProbesAnswerOnThePortsTheManifestsName(string workload)
    {
        var app = DeployContext.Load(Overlays.Dir("prod"), production: true).Apps.Single(a => a.Workload.Name == workload);
        await using var running = await RunningApp.StartAsync(app, redis.Server.ConnectionString);

        foreach (var (kind, probe) in new[] { ("startup", app.Workload.App.StartupProbe), ("liveness", app.Workload.App.LivenessProbe), ("readiness", app.Workload.App.ReadinessProbe) })
        {
            Assert.NotNull(probe?.HttpGet);
            using var response = await running.GetAsync(probe.HttpGet.Port, probe.HttpGet.Path);
            var body = await response.Content.ReadAsStringAsync();
            if (kind == "readiness")
            {
                // Ready needs the Dapr sidecar, which does not run here: 503 Unhealthy is the right
                // answer, and proves the endpoint is the health endpoint.
                Assert.Contains(body, new[] { "Healthy", "Unhealthy", "Degraded" });
            }
            else
            {
                // Startup and liveness must not depend on Redis or the sidecar, or a slow
                // dependency would restart the pod.
                Assert.True(response.StatusCode == HttpStatusCode.OK && body == "Healthy",
                    $"{workload} {kind} probe {probe.HttpGet.Path} answered {(int)response.StatusCode} {body}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ProdApps))]
    public async Task DaprSubscribeListsExactlyTheScopedSubscriptions(string workload)
    {
        var context = DeployContext.Load(Overlays.Dir("prod"), production: true);
        var app = context.Apps.Single(a => a.Workload.Name == workload);
        if (app.PubSubName is null)
        {
            // No events declared (the gateway): the component must not be scoped to it.
            Assert.DoesNotContain(context.Manifests.Components, c => c.Scopes?.Contains(app.Workload.AppId!) == true);
            return;
        }

        await using var running = await RunningApp.StartAsync(app, redis.Server.ConnectionString);
        IntOrString appPort = app.Workload.Annotation("dapr.io/app-port")!;

        using var withoutToken = await running.GetAsync(appPort, "/dapr/subscribe");
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);

        using var response = await running.GetAsync(appPort, "/dapr/subscribe", AppToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        // The sidecar reads these names case-insensitively (Go's encoding/json); the SDK writes camelCase.
        var listed = json.RootElement.EnumerateArray()
            .Select(s => (Topic: Property(s, "topic")!, DeadLetter: Property(s, "deadLetterTopic"), PubSub: Property(s, "pubsubName")))
            .ToList();

        var component = context.Manifests.Components.Single(c => c.Metadata.Name == app.PubSubName);
        var scoped = Policies.ParseScopes(component.Value("subscriptionScopes"))[app.Workload.AppId!];
        Assert.Equal(scoped.Order(StringComparer.Ordinal), listed.Select(l => l.Topic).Order(StringComparer.Ordinal));
        Assert.All(listed, l =>
        {
            Assert.Equal(app.PubSubName, l.PubSub);
            Assert.StartsWith(Policies.DeadLetterPrefix, l.DeadLetter);
        });
    }

    private static string? Property(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } found
            ? found.Value.GetString()
            : null;

    /// <summary>An app started in-process with its Deployment's environment, on free loopback ports.</summary>
    private sealed class RunningApp : IAsyncDisposable
    {
        private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
        private readonly AppModel _model;
        private readonly Dictionary<int, int> _ports;
        private readonly HttpClient _http = new();

        private RunningApp(Microsoft.AspNetCore.Builder.WebApplication app, AppModel model, Dictionary<int, int> ports)
        {
            _app = app;
            _model = model;
            _ports = ports;
        }

        public static async Task<RunningApp> StartAsync(AppModel model, string redis)
        {
            var ports = new Dictionary<int, int>();
            var args = new List<string>(model.Args);
            foreach (var endpoint in model.Endpoints.Values)
            {
                var local = FreePort.Next();
                ports[endpoint.Port] = local;
                args.Add($"--Kestrel:Endpoints:{endpoint.Name}:Url=http://127.0.0.1:{local}");
            }

            args.Add($"--ConnectionStrings:redis={redis}");
            args.Add("--Redis:Password=");
            args.Add("--OTEL_EXPORTER_OTLP_ENDPOINT=");
            args.Add("--Logging:LogLevel:Default=Warning");
            args.Add("--Logging:Console:FormatterName=simple");
            if (model.Workload.Annotation("dapr.io/app-token-secret") is not null)
            {
                // What the sidecar injector puts in the app container from the token Secret.
                args.Add($"--APP_API_TOKEN={AppToken}");
            }

            var app = AppModel.Create(model.Project.AppType, args);
            await app.StartAsync();
            return new RunningApp(app, model, ports);
        }

        public Task<HttpResponseMessage> GetAsync(IntOrString port, string path, string? daprToken = null)
        {
            var container = Policies.ContainerPort(_model.Workload, port)
                ?? throw new InvalidOperationException($"{_model.Workload.Describe} exposes no port {port.Value}");
            var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_ports[container.ContainerPort]}{path}");
            if (daprToken is not null)
            {
                request.Headers.Add("dapr-api-token", daprToken);
            }

            return _http.SendAsync(request);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
