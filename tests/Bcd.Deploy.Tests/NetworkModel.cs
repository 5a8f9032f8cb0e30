using Bcd.Deploy.Tests.Model;
using k8s.Models;

namespace Bcd.Deploy.Tests;

/// <summary>A pod (or a peer outside the namespace) as NetworkPolicies see it.</summary>
public sealed record NetPod(string Name, string Namespace, IDictionary<string, string> Labels, IReadOnlyList<V1ContainerPort> Ports)
{
    public string? Component => Labels.TryGetValue("app.kubernetes.io/component", out var c) ? c : null;
}

/// <summary>
/// Evaluates the NetworkPolicies of one build the way Kubernetes does: a pod selected by a policy
/// of a direction accepts only what some rule of those policies allows; a flow needs the source's
/// egress and the destination's ingress.
/// </summary>
public sealed class NetworkModel
{
    private readonly List<V1NetworkPolicy> _policies;
    private readonly string _namespace;
    private readonly IDictionary<string, string> _namespaceLabels;

    public NetworkModel(ManifestSet manifests)
    {
        var ns = manifests.Namespaces.FirstOrDefault();
        _namespace = ns?.Metadata.Name ?? "default";
        _namespaceLabels = new Dictionary<string, string>(ns?.Metadata.Labels ?? new Dictionary<string, string>())
        {
            ["kubernetes.io/metadata.name"] = _namespace,
        };
        _policies = manifests.NetworkPolicies.ToList();
        Pods = manifests.Workloads
            .Select(w => new NetPod(w.Describe, _namespace, w.Labels, w.Pod.Containers.SelectMany(c => c.Ports ?? []).ToList()))
            .ToList();
    }

    public IReadOnlyList<NetPod> Pods { get; }

    /// <summary>src may open a connection to dst's named (or numbered) port.</summary>
    public bool Allows(NetPod src, NetPod dst, string port)
    {
        var target = dst.Ports.FirstOrDefault(p => p.Name == port || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port);
        return target is not null
            && EgressAllowed(src, dst, target.ContainerPort, target.Name, target.Protocol ?? "TCP")
            && IngressAllowed(dst, src, target.ContainerPort, target.Name, target.Protocol ?? "TCP");
    }

    public bool AllowsDns(NetPod pod)
    {
        var dns = new NetPod("kube-dns", "kube-system", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, []);
        return EgressAllowed(pod, dns, 53, null, "UDP") && EgressAllowed(pod, dns, 53, null, "TCP");
    }

    /// <summary>Any pod of namespace ns (labels unknown) may reach pod's port.</summary>
    public bool AllowsFromNamespace(NetPod pod, string ns, string port)
    {
        var target = pod.Ports.FirstOrDefault(p => p.Name == port);
        var source = new NetPod($"{ns}/*", ns, Unknown, []);
        return target is not null && IngressAllowed(pod, source, target.ContainerPort, target.Name, "TCP");
    }

    /// <summary>pod may reach any pod of namespace ns on port.</summary>
    public bool AllowsToNamespace(NetPod pod, string ns, int port) =>
        EgressAllowed(pod, new NetPod($"{ns}/*", ns, Unknown, []), port, null, "TCP");

    // Stands for "some pod whose labels we do not know": only namespace-wide peers match it.
    private static readonly Dictionary<string, string> Unknown = new() { ["\0unknown"] = string.Empty };

    private bool EgressAllowed(NetPod src, NetPod dst, int port, string? portName, string protocol)
    {
        var selecting = _policies.Where(p => Selects(p, src, "Egress")).ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Egress ?? []).Any(rule =>
            PortsMatch(rule.Ports, port, portName, protocol) && (rule.To is null or { Count: 0 } || rule.To.Any(peer => PeerMatches(peer, dst)))));
    }

    private bool IngressAllowed(NetPod dst, NetPod src, int port, string? portName, string protocol)
    {
        var selecting = _policies.Where(p => Selects(p, dst, "Ingress")).ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule =>
            PortsMatch(rule.Ports, port, portName, protocol) && (rule.FromProperty is null or { Count: 0 } || rule.FromProperty.Any(peer => PeerMatches(peer, src)))));
    }

    private bool Selects(V1NetworkPolicy policy, NetPod pod, string direction)
    {
        var types = policy.Spec.PolicyTypes is { Count: > 0 } t
            ? t
            : policy.Spec.Egress is { Count: > 0 } ? ["Ingress", "Egress"] : ["Ingress"];
        return pod.Namespace == _namespace && types.Contains(direction) && Matches(policy.Spec.PodSelector, pod.Labels);
    }

    private bool PeerMatches(V1NetworkPolicyPeer peer, NetPod pod)
    {
        if (peer.IpBlock is not null)
        {
            return false;
        }

        bool namespaceOk;
        if (peer.NamespaceSelector is null)
        {
            namespaceOk = pod.Namespace == _namespace;
        }
        else
        {
            var labels = pod.Namespace == _namespace
                ? _namespaceLabels
                : new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = pod.Namespace };
            namespaceOk = Matches(peer.NamespaceSelector, labels);
        }

        if (!namespaceOk)
        {
            return false;
        }

        if (peer.PodSelector is null || IsEmpty(peer.PodSelector))
        {
            return true;
        }

        return !pod.Labels.ContainsKey("\0unknown") && Matches(peer.PodSelector, pod.Labels);
    }

    private static bool PortsMatch(IList<V1NetworkPolicyPort>? ports, int port, string? portName, string protocol) =>
        ports is null or { Count: 0 } || ports.Any(p =>
            (p.Protocol ?? "TCP") == protocol
            && (p.Port is null
                || p.Port.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                || (portName is not null && p.Port.Value == portName)
                || (p.EndPort is { } end && int.TryParse(p.Port.Value, out var start) && port >= start && port <= end)));

    private static bool IsEmpty(V1LabelSelector selector) =>
        selector.MatchLabels is null or { Count: 0 } && selector.MatchExpressions is null or { Count: 0 };

    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return true;
        }

        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(expression.Key, out var actual);
            var ok = expression.OperatorProperty switch
            {
                "In" => has && (expression.Values ?? []).Contains(actual!),
                "NotIn" => !has || !(expression.Values ?? []).Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
