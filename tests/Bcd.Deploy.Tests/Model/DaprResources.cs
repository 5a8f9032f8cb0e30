using k8s;
using k8s.Models;

namespace Bcd.Deploy.Tests.Model;

// Dapr's custom resources, modelled on the Dapr CRDs (dapr.io/v1alpha1) so strict parsing rejects a
// misspelled field the way the API server's schema would. Only fields Dapr defines are here.

public abstract class DaprResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ObjectMeta Metadata { get; set; } = new();

    public List<string>? Scopes { get; set; }
}

public sealed class DaprComponent : DaprResource
{
    public ComponentSpec Spec { get; set; } = new();

    public DaprAuth? Auth { get; set; }

    /// <summary>A metadata value by name (the plain value; null when absent or secret-backed).</summary>
    public string? Value(string name) => Spec.Metadata.FirstOrDefault(m => m.Name == name)?.Value;
}

public sealed class DaprAuth
{
    public string? SecretStore { get; set; }
}

public sealed class ComponentSpec
{
    public string Type { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;

    public bool? IgnoreErrors { get; set; }

    public string? InitTimeout { get; set; }

    public List<ComponentMetadata> Metadata { get; set; } = [];
}

public sealed class ComponentMetadata
{
    public string Name { get; set; } = string.Empty;

    public string? Value { get; set; }

    public SecretKeyRef? SecretKeyRef { get; set; }

    public string? EnvRef { get; set; }
}

public sealed class SecretKeyRef
{
    public string Name { get; set; } = string.Empty;

    public string? Key { get; set; }
}

public sealed class DaprResiliency : DaprResource
{
    public ResiliencySpec Spec { get; set; } = new();
}

public sealed class ResiliencySpec
{
    public ResiliencyPolicies Policies { get; set; } = new();

    public ResiliencyTargets Targets { get; set; } = new();
}

public sealed class ResiliencyPolicies
{
    public Dictionary<string, string>? Timeouts { get; set; }

    public Dictionary<string, RetryPolicy>? Retries { get; set; }

    public Dictionary<string, CircuitBreakerPolicy>? CircuitBreakers { get; set; }
}

public sealed class RetryPolicy
{
    public string? Policy { get; set; }

    public string? Duration { get; set; }

    public string? MaxInterval { get; set; }

    public int? MaxRetries { get; set; }

    public RetryMatching? Matching { get; set; }
}

public sealed class RetryMatching
{
    public string? HttpStatusCodes { get; set; }

    public string? GRPCStatusCodes { get; set; }
}

public sealed class CircuitBreakerPolicy
{
    public int? MaxRequests { get; set; }

    public string? Interval { get; set; }

    public string? Timeout { get; set; }

    public string? Trip { get; set; }
}

public sealed class ResiliencyTargets
{
    public Dictionary<string, PolicyNames>? Apps { get; set; }

    public Dictionary<string, PolicyNames>? Actors { get; set; }

    public Dictionary<string, ComponentTarget>? Components { get; set; }
}

public sealed class PolicyNames
{
    public string? Timeout { get; set; }

    public string? Retry { get; set; }

    public string? CircuitBreaker { get; set; }

    public int? CircuitBreakerCacheSize { get; set; }

    public string? CircuitBreakerScope { get; set; }
}

public sealed class ComponentTarget
{
    public PolicyNames? Inbound { get; set; }

    public PolicyNames? Outbound { get; set; }
}

public sealed class DaprConfiguration : DaprResource
{
    public ConfigurationSpec Spec { get; set; } = new();
}

public sealed class ConfigurationSpec
{
    public MtlsSpec? Mtls { get; set; }

    public TracingSpec? Tracing { get; set; }

    public MetricsSpec? Metrics { get; set; }

    public MetricsSpec? Metric { get; set; }

    public ApiSpec? Api { get; set; }

    public SecretsSpec? Secrets { get; set; }

    public AccessControlSpec? AccessControl { get; set; }

    public List<FeatureSpec>? Features { get; set; }

    public ComponentsSpec? Components { get; set; }

    public LoggingSpec? Logging { get; set; }
}

public sealed class MtlsSpec
{
    public bool Enabled { get; set; }

    public string? WorkloadCertTTL { get; set; }

    public string? AllowedClockSkew { get; set; }

    public string? ControlPlaneTrustDomain { get; set; }

    public string? SentryAddress { get; set; }
}

public sealed class TracingSpec
{
    public string? SamplingRate { get; set; }

    public bool? Stdout { get; set; }

    public OtelSpec? Otel { get; set; }

    public ZipkinSpec? Zipkin { get; set; }
}

public sealed class OtelSpec
{
    public string? EndpointAddress { get; set; }

    public bool? IsSecure { get; set; }

    public string? Protocol { get; set; }
}

public sealed class ZipkinSpec
{
    public string? EndpointAddress { get; set; }
}

public sealed class MetricsSpec
{
    public bool? Enabled { get; set; }

    public bool? RecordErrorCodes { get; set; }
}

public sealed class ApiSpec
{
    public List<ApiRule>? Allowed { get; set; }

    public List<ApiRule>? Denied { get; set; }
}

public sealed class ApiRule
{
    public string Name { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;

    public string? Protocol { get; set; }
}

public sealed class SecretsSpec
{
    public List<SecretScope>? Scopes { get; set; }
}

public sealed class SecretScope
{
    public string StoreName { get; set; } = string.Empty;

    public string? DefaultAccess { get; set; }

    public List<string>? AllowedSecrets { get; set; }

    public List<string>? DeniedSecrets { get; set; }
}

public sealed class AccessControlSpec
{
    public string? DefaultAction { get; set; }

    public string? TrustDomain { get; set; }

    public List<AppPolicy>? Policies { get; set; }
}

public sealed class AppPolicy
{
    public string AppId { get; set; } = string.Empty;

    public string? DefaultAction { get; set; }

    public string? TrustDomain { get; set; }

    public string? Namespace { get; set; }

    public List<AppOperation>? Operations { get; set; }
}

public sealed class AppOperation
{
    public string Name { get; set; } = string.Empty;

    public List<string>? HttpVerb { get; set; }

    public string? Action { get; set; }
}

public sealed class FeatureSpec
{
    public string Name { get; set; } = string.Empty;

    public bool Enabled { get; set; }
}

public sealed class ComponentsSpec
{
    public List<string>? Deny { get; set; }
}

public sealed class LoggingSpec
{
    public ApiLoggingSpec? ApiLogging { get; set; }
}

public sealed class ApiLoggingSpec
{
    public bool? Enabled { get; set; }

    public bool? ObfuscateURLs { get; set; }

    public bool? OmitHealthChecks { get; set; }
}
