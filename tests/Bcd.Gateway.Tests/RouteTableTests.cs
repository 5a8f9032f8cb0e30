using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Bcd.Testing;
using Google.Api;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Bcd.Gateway.Tests;

/// <summary>
/// Every REST path and every gRPC method of every service contract reaches that service's cluster
/// through the gateway's configured routes, and no other cluster: one catch-all route of one service
/// must not swallow another's paths. The clusters point at recorders that note what arrives.
/// </summary>
public sealed class RouteTableTests : IAsyncLifetime
{
    private readonly Dictionary<string, Recorder> _recorders = new(StringComparer.Ordinal);
    private TestApp _gateway = null!;
    private int _lastStatus;

    /// <summary>Services of the contracts with their cluster id (the package's second segment: bcd.membership.v1 → membership).</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
        typeof(Bcd.Contracts.Membership.V1.MembershipService).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal) && t.GetProperty("Descriptor")?.GetValue(null) is FileDescriptor)
            .SelectMany(t => ((FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!).Services)
            .Where(s => s.File.Package.StartsWith("bcd.", StringComparison.Ordinal))
            .ToList();

    public static string ClusterOf(ServiceDescriptor service) => service.File.Package.Split('.')[1];

    public async Task InitializeAsync()
    {
        var settings = new List<string>();
        foreach (var cluster in Services.Select(ClusterOf).Distinct())
        {
            var recorder = await Recorder.StartAsync();
            _recorders[cluster] = recorder;
            settings.Add($"--ReverseProxy:Clusters:{cluster}:Destinations:d1:Address={recorder.Address}");
        }

        settings.Add("--ReverseProxy:Clusters:membership:HealthCheck:Active:Enabled=false");
        settings.Add("--RateLimiting:PermitLimit=100000");
        _gateway = await TestApp.StartAsync(GatewayApp.Create, Repo.Path("gateway", "Bcd.Gateway"), settings);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var recorder in _recorders.Values)
        {
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public void ContractsDefineServicesToRoute() =>
        Assert.Contains(Services, s => s.FullName == "bcd.membership.v1.MembershipService");

    [Fact]
    public async Task EveryRestPathReachesItsServiceAndNoOther()
    {
        using var http = Clients.Rest(_gateway, Clients.HeadToken());
        var misrouted = new List<string>();
        foreach (var service in Services)
        {
            foreach (var method in service.Methods)
            {
                if (method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is not { } rule)
                {
                    continue;
                }

                var (verb, template) = rule.PatternCase switch
                {
                    HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
                    HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
                    HttpRule.PatternOneofCase.Put => (HttpMethod.Put, rule.Put),
                    HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
                    HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
                    _ => throw new InvalidOperationException($"{method.FullName}: unsupported HTTP rule {rule.PatternCase}"),
                };
                var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-z_]+)[^}]*\}", m => "x-" + m.Groups[1].Value.Replace('_', '-'));
                var arrived = await SendAsync(http, new HttpRequestMessage(verb, path) { Content = verb == HttpMethod.Get ? null : new StringContent("{}", Encoding.UTF8, "application/json") });
                if (arrived != ClusterOf(service))
                {
                    misrouted.Add($"{verb} {path} ({method.FullName}) reached {arrived ?? "no service"} (HTTP {_lastStatus})");
                }
            }
        }

        Assert.True(misrouted.Count == 0, string.Join("\n", misrouted));
    }

    [Fact]
    public async Task EveryGrpcMethodReachesItsServiceAndNoOther()
    {
        using var http = new HttpClient { BaseAddress = _gateway.GrpcAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Clients.HeadToken());
        var misrouted = new List<string>();
        foreach (var method in Services.SelectMany(s => s.Methods))
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/{method.Service.FullName}/{method.Name}")
            {
                Content = new ByteArrayContent([0, 0, 0, 0, 0]),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            var arrived = await SendAsync(http, request);
            if (arrived != ClusterOf(method.Service))
            {
                misrouted.Add($"{method.FullName} reached {arrived ?? "no service"} (HTTP {_lastStatus})");
            }
        }

        Assert.True(misrouted.Count == 0, string.Join("\n", misrouted));
    }

    /// <summary>
    /// Plain HTTP resources the services serve beside their contracts (no google.api.http rule, so
    /// the contract walk above cannot see them); without their own routes membership's
    /// /api/v1/committees catch-all would take them.
    /// </summary>
    [Theory]
    [InlineData("/api/v1/committees/x-committee-id/calendar.ics", "meetings")]
    [InlineData("/api/v1/committees/x-committee-id/taskSummary.csv", "tasks")]
    [InlineData("/api/v1/committees/x-committee-id/taskSummary.xlsx", "tasks")]
    public async Task PlainHttpFilesReachTheirService(string path, string cluster)
    {
        using var http = Clients.Rest(_gateway, Clients.HeadToken());

        var arrived = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, path));

        Assert.True(arrived == cluster, $"GET {path} reached {arrived ?? "no service"} (HTTP {_lastStatus}), not {cluster}");
    }

    private async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        var marker = Guid.NewGuid().ToString("N");
        request.Headers.Add("x-route-probe", marker);
        using var response = await http.SendAsync(request);
        _lastStatus = (int)response.StatusCode;
        return _recorders.FirstOrDefault(r => r.Value.Seen.ContainsKey(marker)).Key;
    }

    /// <summary>A backend that answers 200 to anything over h2c and remembers the probe markers it saw.</summary>
    private sealed class Recorder : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Recorder(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public ConcurrentDictionary<string, string> Seen { get; } = new();

        public static async Task<Recorder> StartAsync()
        {
            var port = FreePort.Next();
            // An empty content root: the test folder holds the apps' appsettings.json, whose endpoints it must not bind.
            var root = Directory.CreateTempSubdirectory("bcd-recorder").FullName;
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root });
            builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var recorder = new Recorder(app, new Uri($"http://localhost:{port}"));
            app.Run(context =>
            {
                if (context.Request.Headers.TryGetValue("x-route-probe", out var marker))
                {
                    recorder.Seen[marker.ToString()] = context.Request.Path;
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            return recorder;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
