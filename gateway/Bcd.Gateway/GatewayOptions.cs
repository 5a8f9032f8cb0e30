namespace Bcd.Gateway;

/// <summary>Section "RateLimiting": a fixed window per caller (token subject, else remote IP).</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    public int PermitLimit { get; set; } = 600;

    public int WindowSeconds { get; set; } = 60;
}

/// <summary>Section "Timeouts": the "proxy" request-timeout policy that routes name in TimeoutPolicy.</summary>
public sealed class TimeoutOptions
{
    public const string SectionName = "Timeouts";

    public int ProxySeconds { get; set; } = 30;
}

/// <summary>Section "Cors": the front-end origins allowed to call through the gateway.</summary>
public sealed class GatewayCorsOptions
{
    public const string SectionName = "Cors";

    public string[] AllowedOrigins { get; set; } = [];

    public int PreflightMaxAgeSeconds { get; set; } = 600;
}

/// <summary>Section "Healthz": how long /healthz waits for one destination's readiness probe.</summary>
public sealed class HealthzOptions
{
    public const string SectionName = "Healthz";

    public int ProbeTimeoutSeconds { get; set; } = 3;

    /// <summary>Probe path when a cluster configures no active health check path.</summary>
    public string DefaultPath { get; set; } = "/health/ready";
}
