using k8s;
using k8s.Models;

namespace Bcd.Deploy.Tests.Model;

/// <summary>
/// The documents one kustomize build produced, parsed strictly: a field that Kubernetes (or Dapr)
/// does not define fails the parse, as the API server would refuse it.
/// </summary>
public sealed class ManifestSet
{
    private static readonly Dictionary<string, Type> TypeMap = BuildTypeMap();

    private ManifestSet(string name, IReadOnlyList<object> objects)
    {
        Name = name;
        Objects = objects;
    }

    /// <summary>The overlay or fixture this set was built from.</summary>
    public string Name { get; }

    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<V1Namespace> Namespaces => Objects.OfType<V1Namespace>();

    public IEnumerable<V1Deployment> Deployments => Objects.OfType<V1Deployment>();

    public IEnumerable<V1StatefulSet> StatefulSets => Objects.OfType<V1StatefulSet>();

    public IEnumerable<V1Service> Services => Objects.OfType<V1Service>();

    public IEnumerable<V1ServiceAccount> ServiceAccounts => Objects.OfType<V1ServiceAccount>();

    public IEnumerable<V1ConfigMap> ConfigMaps => Objects.OfType<V1ConfigMap>();

    public IEnumerable<V1Secret> Secrets => Objects.OfType<V1Secret>();

    public IEnumerable<V1NetworkPolicy> NetworkPolicies => Objects.OfType<V1NetworkPolicy>();

    public IEnumerable<V1Ingress> Ingresses => Objects.OfType<V1Ingress>();

    public IEnumerable<V2HorizontalPodAutoscaler> Autoscalers => Objects.OfType<V2HorizontalPodAutoscaler>();

    public IEnumerable<V1PodDisruptionBudget> DisruptionBudgets => Objects.OfType<V1PodDisruptionBudget>();

    public IEnumerable<DaprComponent> Components => Objects.OfType<DaprComponent>();

    public IEnumerable<DaprResiliency> Resiliencies => Objects.OfType<DaprResiliency>();

    public IEnumerable<DaprConfiguration> Configurations => Objects.OfType<DaprConfiguration>();

    /// <summary>Deployments and StatefulSets with their pod templates.</summary>
    public IEnumerable<Workload> Workloads =>
        Deployments.Select(d => new Workload(d.Kind, d.Metadata.Name, d.Spec.Template, d.Spec.Replicas))
            .Concat(StatefulSets.Select(s => new Workload(s.Kind, s.Metadata.Name, s.Spec.Template, s.Spec.Replicas)));

    /// <summary>Dapr-enabled Deployments: the Bcd apps.</summary>
    public IEnumerable<Workload> DaprApps => Workloads.Where(w => w.DaprEnabled);

    public V1ConfigMap? ConfigMap(string name) => ConfigMaps.FirstOrDefault(c => c.Metadata.Name == name);

    public V1Service? Service(string name) => Services.FirstOrDefault(s => s.Metadata.Name == name);

    public static ManifestSet Parse(string name, string yaml) =>
        new(name, KubernetesYaml.LoadAllFromString(yaml, TypeMap, strict: true));

    // Built-in kinds come from the client's own map; Dapr's kinds are added here. An unknown kind fails.
    private static Dictionary<string, Type> BuildTypeMap() => new(StringComparer.Ordinal)
    {
        ["dapr.io/v1alpha1/Component"] = typeof(DaprComponent),
        ["dapr.io/v1alpha1/Resiliency"] = typeof(DaprResiliency),
        ["dapr.io/v1alpha1/Configuration"] = typeof(DaprConfiguration),
    };
}

/// <summary>A pod-owning workload, whichever its kind.</summary>
public sealed record Workload(string Kind, string Name, V1PodTemplateSpec Template, int? Replicas)
{
    public V1PodSpec Pod => Template.Spec;

    public IDictionary<string, string> Annotations => Template.Metadata?.Annotations ?? new Dictionary<string, string>();

    public IDictionary<string, string> Labels => Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public bool DaprEnabled => Annotations.TryGetValue("dapr.io/enabled", out var v) && v == "true";

    public string? Annotation(string name) => Annotations.TryGetValue(name, out var v) ? v : null;

    public string? AppId => Annotation("dapr.io/app-id");

    /// <summary>The app container: the first one (Dapr injects its sidecar later, at admission).</summary>
    public V1Container App => Pod.Containers[0];

    public string Describe => $"{Kind}/{Name}";
}
