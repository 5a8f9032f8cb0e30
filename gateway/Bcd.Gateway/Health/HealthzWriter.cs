using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bcd.Gateway.Health;

/// <summary>
/// The /healthz body: the overall status, each check of the gateway itself, and each cluster with its
/// destinations, e.g. <c>{"status":"Healthy","checks":{"self":"Healthy"},"clusters":{"membership":{...}}}</c>.
/// </summary>
public static class HealthzWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var destinations = report.Entries.Values
            .SelectMany(e => e.Data.TryGetValue(DestinationsHealthCheck.DestinationsKey, out var value) && value is DestinationReport[] list ? list : [])
            .ToList();
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = (long)report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
            clusters = destinations
                .GroupBy(d => d.Cluster)
                .ToDictionary(
                    g => g.Key,
                    g => new
                    {
                        status = g.All(d => d.Status == nameof(HealthStatus.Healthy)) ? nameof(HealthStatus.Healthy) : nameof(HealthStatus.Unhealthy),
                        destinations = g.ToDictionary(d => d.Destination),
                    }),
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json), context.RequestAborted);
    }
}
