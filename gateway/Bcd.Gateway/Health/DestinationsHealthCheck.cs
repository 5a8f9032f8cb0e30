using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Bcd.Gateway.Health;

/// <summary>One destination as /healthz reports it.</summary>
public sealed record DestinationReport(
    string Cluster,
    string Destination,
    string Address,
    string Status,
    int? HttpStatus,
    string? Error,
    long DurationMs,
    string ActiveHealth,
    string PassiveHealth);

/// <summary>
/// Probes every destination of every configured cluster now, on its readiness path, through the
/// cluster's own HTTP client (so the same HTTP/2 settings apply as to proxied calls). YARP's active
/// checker runs on an interval and starts as "Unknown"; /healthz must answer for this moment. YARP's
/// own view (active and passive state) is reported alongside.
/// </summary>
public sealed class DestinationsHealthCheck(IProxyStateLookup proxyState, IOptionsMonitor<HealthzOptions> options) : IHealthCheck
{
    public const string DestinationsKey = "destinations";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var probes = proxyState.GetClusters()
            .SelectMany(cluster => cluster.Destinations.Values.Select(destination => ProbeAsync(cluster, destination, settings, cancellationToken)))
            .ToList();
        var reports = await Task.WhenAll(probes);
        var unhealthy = reports.Where(r => r.Status != nameof(HealthStatus.Healthy)).ToList();
        var data = new Dictionary<string, object> { [DestinationsKey] = reports };
        return unhealthy.Count == 0
            ? HealthCheckResult.Healthy($"{reports.Length} destination(s) ready.", data)
            : HealthCheckResult.Unhealthy(
                $"Not ready: {string.Join(", ", unhealthy.Select(r => r.Cluster + "/" + r.Destination))}.", data: data);
    }

    private static async Task<DestinationReport> ProbeAsync(
        ClusterState cluster, DestinationState destination, HealthzOptions settings, CancellationToken cancellationToken)
    {
        var config = cluster.Model.Config;
        var baseAddress = destination.Model.Config.Health is { Length: > 0 } health ? health : destination.Model.Config.Address;
        var path = config.HealthCheck?.Active?.Path is { Length: > 0 } activePath ? activePath : settings.DefaultPath;
        var started = Stopwatch.GetTimestamp();
        int? httpStatus = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress.TrimEnd('/') + "/" + path.TrimStart('/')))
            {
                Version = config.HttpRequest?.Version ?? HttpVersion.Version20,
                VersionPolicy = config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
            };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds));
            using var response = await cluster.Model.HttpClient.SendAsync(request, timeout.Token);
            httpStatus = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or UriFormatException)
        {
            error = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? $"No answer within {settings.ProbeTimeoutSeconds} s."
                : ex.Message;
        }

        var healthy = httpStatus is >= 200 and < 300;
        return new DestinationReport(
            cluster.ClusterId,
            destination.DestinationId,
            baseAddress,
            healthy ? nameof(HealthStatus.Healthy) : nameof(HealthStatus.Unhealthy),
            httpStatus,
            error,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            destination.Health.Active.ToString(),
            destination.Health.Passive.ToString());
    }
}
