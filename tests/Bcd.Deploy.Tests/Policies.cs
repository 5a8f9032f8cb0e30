using System.Text.RegularExpressions;
using Bcd.Deploy.Tests.Model;
using k8s.Models;

namespace Bcd.Deploy.Tests;

/// <summary>What a policy looks at: one built overlay and the apps its Deployments run.</summary>
public sealed class DeployContext(ManifestSet manifests, IReadOnlyList<AppModel> apps, bool production)
{
    public ManifestSet Manifests { get; } = manifests;

    public IReadOnlyList<AppModel> Apps { get; } = apps;

    public bool Production { get; } = production;

    /// <summary>Builds the context of a kustomization: the apps come from the Deployments that run a project's image.</summary>
    public static DeployContext Load(string dir, bool production)
    {
        var manifests = Kustomize.Load(dir);
        var apps = new List<AppModel>();
        foreach (var workload in manifests.Workloads)
        {
            if (Deployable.All.FirstOrDefault(d => d.Builds(workload.App.Image)) is { } project)
            {
                apps.Add(AppModel.For(project, workload, manifests));
            }
        }

        return new DeployContext(manifests, apps, production);
    }
}

/// <summary>One rule the manifests must keep; Check lists every violation (empty when it holds).</summary>
public sealed record Policy(string Id, string Rule, Func<DeployContext, IEnumerable<string>> Check)
{
    public override string ToString() => Id;
}

/// <summary>
/// The rules a careless edit must not get past. Each has a broken fixture under Fixtures/{Id}
/// that it is shown to catch.
/// </summary>
public static partial class Policies
{
    public const string DeadLetterPrefix = "bcd.deadletter.";

    public static IReadOnlyList<Policy> All { get; } =
    [
        new("namespace-restricted", "The namespace enforces Pod Security Standards 'restricted' and holds every namespaced object.", NamespaceRestricted),
        new("workload-resources", "Every container has CPU and memory requests and limits.", WorkloadResources),
        new("workload-probes", "Every container has startup, readiness and liveness probes.", WorkloadProbes),
        new("workload-security-context", "Every pod and container runs with the restricted security context.", WorkloadSecurityContext),
        new("workload-service-account", "Every pod runs as its own ServiceAccount, with token automount off.", WorkloadServiceAccount),
        new("deployables-deployed", "Every project that builds an image runs in exactly one Deployment.", DeployablesDeployed),
        new("dapr-annotations", "Every Dapr app has app-id, app-port, app-protocol, config, sidecar resources, seccomp and API tokens.", DaprAnnotations),
        new("dapr-app-service", "Every Dapr app's app-id names a Service that selects its pods and exposes its ports.", DaprAppService),
        new("app-ports", "app-port, container ports and probe ports are the ports the app itself listens on, with the right protocol.", AppPorts),
        new("shutdown-budget", "terminationGracePeriodSeconds exceeds preStop + the app's shutdown timeout, and the Dapr graceful shutdown.", ShutdownBudget),
        new("pubsub-scoped", "Every Dapr Component has scopes, naming existing app-ids only.", PubSubScoped),
        new("pubsub-topics", "The pub/sub scopes and allowed topics are exactly what each app declares in code, dead-letter topics included.", PubSubTopics),
        new("resiliency", "A Resiliency retries the pub/sub inbound path, has a circuit breaker, and covers every app of the component.", Resiliency),
        new("dapr-configuration", "The Dapr Configuration the apps use has mTLS, tracing and deny-by-default access control.", DaprConfigurationPolicy),
        new("network-default-deny", "A NetworkPolicy denies all ingress and egress by default.", NetworkDefaultDeny),
        new("network-flows", "The needed flows are allowed and nothing is open to everywhere.", NetworkFlows),
        new("gateway-destinations", "Every gateway destination is a Service port that reaches an app's HTTP/2 endpoint.", GatewayDestinations),
        new("ingress", "The gateway, and only the gateway, is exposed through an Ingress with TLS.", IngressPolicy),
        new("no-secret-values", "No Secret, ConfigMap, env var or component carries a secret value.", NoSecretValues),
        new("prod-scaling", "In prod every stateless Deployment has ≥ 2 replicas, an HPA with minReplicas ≥ 2 and a PDB.", ProdScaling),
        new("images-pinned", "Every image is set through kustomize images and, in prod, pinned to a release tag.", ImagesPinned),
    ];

    public static Policy Get(string id) => All.Single(p => p.Id == id);

    private static IEnumerable<string> NamespaceRestricted(DeployContext c)
    {
        var namespaces = c.Manifests.Namespaces.ToList();
        if (namespaces.Count != 1)
        {
            yield return $"expected one Namespace, found {namespaces.Count}";
            yield break;
        }

        var ns = namespaces[0];
        var labels = ns.Metadata.Labels ?? new Dictionary<string, string>();
        if (!labels.TryGetValue("pod-security.kubernetes.io/enforce", out var level) || level != "restricted")
        {
            yield return $"Namespace {ns.Metadata.Name} does not enforce pod-security 'restricted'";
        }

        foreach (var o in c.Manifests.Objects.OfType<k8s.IKubernetesObject<V1ObjectMeta>>())
        {
            if (o is not V1Namespace && o.Metadata.NamespaceProperty != ns.Metadata.Name)
            {
                yield return $"{o.Kind}/{o.Metadata.Name} is in namespace '{o.Metadata.NamespaceProperty}', not {ns.Metadata.Name}";
            }
        }
    }

    private static IEnumerable<string> WorkloadResources(DeployContext c)
    {
        foreach (var w in c.Manifests.Workloads)
        {
            foreach (var container in w.Pod.Containers.Concat(w.Pod.InitContainers ?? []))
            {
                foreach (var (kind, values) in new[] { ("requests", container.Resources?.Requests), ("limits", container.Resources?.Limits) })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        if (values is null || !values.ContainsKey(resource))
                        {
                            yield return $"{w.Describe} container {container.Name} has no {resource} {kind}";
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<string> WorkloadProbes(DeployContext c)
    {
        foreach (var w in c.Manifests.Workloads)
        {
            foreach (var container in w.Pod.Containers)
            {
                foreach (var (name, probe) in new[] { ("startup", container.StartupProbe), ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe) })
                {
                    if (probe is null || (probe.HttpGet is null && probe.Exec is null && probe.TcpSocket is null && probe.Grpc is null))
                    {
                        yield return $"{w.Describe} container {container.Name} has no {name} probe";
                    }
                }
            }
        }
    }

    private static IEnumerable<string> WorkloadSecurityContext(DeployContext c)
    {
        foreach (var w in c.Manifests.Workloads)
        {
            var pod = w.Pod.SecurityContext;
            if (w.Pod.HostNetwork == true || w.Pod.HostPID == true || w.Pod.HostIPC == true)
            {
                yield return $"{w.Describe} shares a host namespace";
            }

            if ((w.Pod.Volumes ?? []).Any(v => v.HostPath is not null))
            {
                yield return $"{w.Describe} mounts a hostPath volume";
            }

            foreach (var container in w.Pod.Containers.Concat(w.Pod.InitContainers ?? []))
            {
                var sc = container.SecurityContext;
                var where = $"{w.Describe} container {container.Name}";
                if ((sc?.RunAsNonRoot ?? pod?.RunAsNonRoot) != true)
                {
                    yield return $"{where} does not set runAsNonRoot";
                }

                if ((sc?.RunAsUser ?? pod?.RunAsUser) is 0)
                {
                    yield return $"{where} runs as user 0";
                }

                if (sc?.AllowPrivilegeEscalation != false)
                {
                    yield return $"{where} allows privilege escalation";
                }

                if (sc?.Privileged == true)
                {
                    yield return $"{where} is privileged";
                }

                if (sc?.Capabilities?.Drop is not { } drop || !drop.Contains("ALL"))
                {
                    yield return $"{where} does not drop ALL capabilities";
                }

                if (sc?.Capabilities?.Add is { Count: > 0 } added && added.Any(a => a != "NET_BIND_SERVICE"))
                {
                    yield return $"{where} adds capabilities {string.Join(",", added)}";
                }

                if (sc?.ReadOnlyRootFilesystem != true)
                {
                    yield return $"{where} has a writable root filesystem";
                }

                var seccomp = sc?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type;
                if (seccomp is not ("RuntimeDefault" or "Localhost"))
                {
                    yield return $"{where} has no RuntimeDefault seccomp profile";
                }
            }

            // The Dapr sidecar is injected at admission; it gets the pod's profile and this one.
            if (w.DaprEnabled && pod?.SeccompProfile?.Type != "RuntimeDefault")
            {
                yield return $"{w.Describe} sets no pod-level seccomp profile for its injected sidecar";
            }
        }
    }

    private static IEnumerable<string> WorkloadServiceAccount(DeployContext c)
    {
        foreach (var w in c.Manifests.Workloads)
        {
            var name = w.Pod.ServiceAccountName;
            if (string.IsNullOrEmpty(name) || name == "default")
            {
                yield return $"{w.Describe} runs as the default ServiceAccount";
                continue;
            }

            var account = c.Manifests.ServiceAccounts.FirstOrDefault(a => a.Metadata.Name == name);
            if (account is null)
            {
                yield return $"{w.Describe} names ServiceAccount {name}, which is not in the manifests";
            }
            else if (account.AutomountServiceAccountToken != false)
            {
                yield return $"ServiceAccount {name} automounts its token";
            }

            if (w.Pod.AutomountServiceAccountToken != false)
            {
                yield return $"{w.Describe} does not turn token automount off";
            }
        }
    }

    private static IEnumerable<string> DeployablesDeployed(DeployContext c)
    {
        foreach (var project in Deployable.All)
        {
            var running = c.Manifests.Deployments.Where(d => d.Spec.Template.Spec.Containers.Any(x => project.Builds(x.Image))).ToList();
            if (running.Count != 1)
            {
                yield return $"{project.Name} (image {project.ContainerRepository}) runs in {running.Count} Deployments, expected 1";
            }
        }

        foreach (var w in c.Manifests.DaprApps)
        {
            if (!Deployable.All.Any(p => p.Builds(w.App.Image)))
            {
                yield return $"{w.Describe} runs {w.App.Image}, which no project builds";
            }
        }
    }

    private static readonly string[] RequiredDaprAnnotations =
    [
        "dapr.io/app-id", "dapr.io/app-port", "dapr.io/app-protocol", "dapr.io/config", "dapr.io/api-token-secret",
        "dapr.io/app-token-secret", "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-memory-request",
        "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-limit",
    ];

    private static IEnumerable<string> DaprAnnotations(DeployContext c)
    {
        var configurations = c.Manifests.Configurations.Select(x => x.Metadata.Name).ToHashSet();
        foreach (var w in c.Manifests.Deployments.Select(d => c.Manifests.Workloads.First(x => x.Kind == d.Kind && x.Name == d.Metadata.Name)))
        {
            if (!w.DaprEnabled)
            {
                yield return $"{w.Describe} is not Dapr-enabled (dapr.io/enabled: \"true\")";
                continue;
            }

            foreach (var annotation in RequiredDaprAnnotations)
            {
                if (string.IsNullOrWhiteSpace(w.Annotation(annotation)))
                {
                    yield return $"{w.Describe} lacks annotation {annotation}";
                }
            }

            if (w.Annotation("dapr.io/sidecar-seccomp-profile-type") != "RuntimeDefault")
            {
                yield return $"{w.Describe} does not set dapr.io/sidecar-seccomp-profile-type: RuntimeDefault";
            }

            if (w.Annotation("dapr.io/app-id") != w.Name)
            {
                yield return $"{w.Describe} has app-id '{w.AppId}', expected its own name";
            }

            if (w.Annotation("dapr.io/app-protocol") is { } protocol && protocol != "http")
            {
                yield return $"{w.Describe} has app-protocol {protocol}; the subscription routes are HTTP";
            }

            if (w.Annotation("dapr.io/config") is { } config && !configurations.Contains(config))
            {
                yield return $"{w.Describe} uses Dapr Configuration {config}, which is not in the manifests";
            }
        }
    }

    private static IEnumerable<string> DaprAppService(DeployContext c)
    {
        foreach (var w in c.Manifests.DaprApps)
        {
            var service = w.AppId is { } id ? c.Manifests.Service(id) : null;
            if (service is null)
            {
                yield return $"{w.Describe}: no Service named after its app-id '{w.AppId}'";
                continue;
            }

            var selector = service.Spec.Selector ?? new Dictionary<string, string>();
            if (selector.Count == 0 || selector.Any(s => !w.Labels.TryGetValue(s.Key, out var v) || v != s.Value))
            {
                yield return $"Service {service.Metadata.Name} does not select the pods of {w.Describe}";
            }

            foreach (var port in service.Spec.Ports ?? [])
            {
                if (ContainerPort(w, port.TargetPort ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) is null)
                {
                    yield return $"Service {service.Metadata.Name} port {port.Name} targets {port.TargetPort}, which {w.Describe} does not expose";
                }
            }

            if (int.TryParse(w.Annotation("dapr.io/app-port"), out var appPort) && !(w.App.Ports ?? []).Any(p => p.ContainerPort == appPort))
            {
                yield return $"{w.Describe} app-port {appPort} is not one of its container ports";
            }
        }
    }

    private static IEnumerable<string> AppPorts(DeployContext c)
    {
        foreach (var app in c.Apps)
        {
            var w = app.Workload;
            var byPort = app.Endpoints.Values.ToDictionary(e => e.Port);
            foreach (var port in w.App.Ports ?? [])
            {
                if (!byPort.ContainsKey(port.ContainerPort))
                {
                    yield return $"{w.Describe} exposes {port.ContainerPort} ({port.Name}), where {app.Project.Name} does not listen (it listens on {string.Join(", ", byPort.Keys)})";
                }
            }

            if (w.DaprEnabled)
            {
                if (!int.TryParse(w.Annotation("dapr.io/app-port"), out var appPort) || !byPort.TryGetValue(appPort, out var endpoint))
                {
                    yield return $"{w.Describe} app-port {w.Annotation("dapr.io/app-port")} is not a port {app.Project.Name} listens on";
                }
                else if (!endpoint.SpeaksHttp1)
                {
                    yield return $"{w.Describe} app-port {appPort} is {app.Project.Name}'s {endpoint.Name} endpoint ({endpoint.Protocols}); the sidecar calls it over HTTP/1.1";
                }
            }

            foreach (var (kind, probe) in new[] { ("startup", w.App.StartupProbe), ("readiness", w.App.ReadinessProbe), ("liveness", w.App.LivenessProbe) })
            {
                if (probe?.HttpGet is not { } get)
                {
                    continue;
                }

                var container = ContainerPort(w, get.Port);
                if (container is null || !byPort.TryGetValue(container.ContainerPort, out var endpoint))
                {
                    yield return $"{w.Describe} {kind} probe port {get.Port} is not a port {app.Project.Name} listens on";
                }
                else if (!endpoint.SpeaksHttp1)
                {
                    yield return $"{w.Describe} {kind} probe goes to {app.Project.Name}'s {endpoint.Name} endpoint ({endpoint.Protocols}); the kubelet probes over HTTP/1.1";
                }
            }
        }
    }

    private static IEnumerable<string> ShutdownBudget(DeployContext c)
    {
        foreach (var app in c.Apps)
        {
            var w = app.Workload;
            var grace = w.Pod.TerminationGracePeriodSeconds ?? 30;
            var preStop = w.App.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
            var needed = preStop + app.ShutdownTimeout.TotalSeconds;
            if (grace <= needed)
            {
                yield return $"{w.Describe} terminationGracePeriodSeconds {grace} ≤ preStop {preStop} s + {app.Project.Name}'s shutdown timeout {app.ShutdownTimeout.TotalSeconds} s";
            }

            if (w.DaprEnabled)
            {
                var dapr = int.TryParse(w.Annotation("dapr.io/graceful-shutdown-seconds"), out var seconds) ? seconds : 5;
                if (grace <= dapr)
                {
                    yield return $"{w.Describe} terminationGracePeriodSeconds {grace} ≤ Dapr graceful shutdown {dapr} s";
                }
            }

            if (w.App.Lifecycle?.PreStop is null)
            {
                yield return $"{w.Describe} has no preStop delay: requests still routed to it would fail while it stops";
            }
        }
    }

    private static IEnumerable<string> PubSubScoped(DeployContext c)
    {
        var appIds = c.Manifests.DaprApps.Select(w => w.AppId).ToHashSet();
        foreach (var component in c.Manifests.Components)
        {
            if (component.Scopes is not { Count: > 0 } scopes)
            {
                yield return $"Component {component.Metadata.Name} has no scopes: every sidecar would load it";
                continue;
            }

            foreach (var scope in scopes.Where(s => !appIds.Contains(s)))
            {
                yield return $"Component {component.Metadata.Name} is scoped to '{scope}', which is no Dapr app";
            }
        }
    }

    private static IEnumerable<string> PubSubTopics(DeployContext c)
    {
        foreach (var group in c.Apps.Where(a => a.PubSubName is not null).GroupBy(a => a.PubSubName!))
        {
            var component = c.Manifests.Components.FirstOrDefault(x => x.Metadata.Name == group.Key);
            if (component is null || !component.Spec.Type.StartsWith("pubsub.", StringComparison.Ordinal))
            {
                yield return $"the apps publish to pub/sub component '{group.Key}', which is not in the manifests";
                continue;
            }

            var publishing = ParseScopes(component.Value("publishingScopes"));
            var subscribing = ParseScopes(component.Value("subscriptionScopes"));
            var allowed = (component.Value("allowedTopics") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var expectedAllowed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var app in group)
            {
                var id = app.Workload.AppId!;
                var wantPublish = app.Published.Concat(app.Subscriptions.Select(s => s.DeadLetterTopic)).ToHashSet();
                var wantSubscribe = app.Subscriptions.Select(s => s.Topic).ToHashSet();
                expectedAllowed.UnionWith(wantPublish);
                expectedAllowed.UnionWith(wantSubscribe);
                foreach (var (what, scopes, want) in new[] { ("publishingScopes", publishing, wantPublish), ("subscriptionScopes", subscribing, wantSubscribe) })
                {
                    if (!scopes.TryGetValue(id, out var have))
                    {
                        yield return $"{what} of {component.Metadata.Name} does not list {id} (an unlisted app may use every topic)";
                        continue;
                    }

                    foreach (var missing in want.Except(have).Order(StringComparer.Ordinal))
                    {
                        yield return $"{what} of {component.Metadata.Name} lacks {missing} for {id}, which its code declares";
                    }

                    foreach (var extra in have.Except(want).Order(StringComparer.Ordinal))
                    {
                        yield return $"{what} of {component.Metadata.Name} grants {id} {extra}, which its code does not declare";
                    }
                }

                foreach (var subscription in app.Subscriptions)
                {
                    if (string.IsNullOrEmpty(subscription.DeadLetterTopic) || !subscription.DeadLetterTopic.StartsWith(DeadLetterPrefix, StringComparison.Ordinal))
                    {
                        yield return $"{id} subscribes to {subscription.Topic} without a dead-letter topic";
                    }
                }

                if (component.Scopes is { } componentScopes && !componentScopes.Contains(id) && (wantPublish.Count > 0 || wantSubscribe.Count > 0))
                {
                    yield return $"{id} uses events but is not in the scopes of {component.Metadata.Name}";
                }
            }

            foreach (var id in publishing.Keys.Concat(subscribing.Keys).Distinct().Where(id => group.All(a => a.Workload.AppId != id)))
            {
                yield return $"{component.Metadata.Name} scopes topics to '{id}', which is no app declaring events";
            }

            foreach (var missing in expectedAllowed.Except(allowed).Order(StringComparer.Ordinal))
            {
                yield return $"allowedTopics of {component.Metadata.Name} lacks {missing}";
            }

            foreach (var extra in allowed.Except(expectedAllowed).Order(StringComparer.Ordinal))
            {
                yield return $"allowedTopics of {component.Metadata.Name} has {extra}, which no app declares";
            }
        }
    }

    /// <summary>Dapr's scope syntax: "app1=topic1,topic2;app2=" (';' between apps, ',' between topics).</summary>
    public static Dictionary<string, HashSet<string>> ParseScopes(string? value)
    {
        var scopes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2);
            scopes[parts[0]] = parts.Length == 2
                ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
                : [];
        }

        return scopes;
    }

    private static IEnumerable<string> Resiliency(DeployContext c)
    {
        foreach (var component in c.Manifests.Components.Where(x => x.Spec.Type.StartsWith("pubsub.", StringComparison.Ordinal)))
        {
            var name = component.Metadata.Name;
            var covering = c.Manifests.Resiliencies.Where(r => r.Spec.Targets.Components?.ContainsKey(name) == true).ToList();
            if (covering.Count == 0)
            {
                yield return $"no Resiliency targets component {name}: since Dapr 1.17 a failed delivery is acknowledged and lost";
                continue;
            }

            foreach (var resiliency in covering)
            {
                var policies = resiliency.Spec.Policies;
                var target = resiliency.Spec.Targets.Components![name];
                if (target.Inbound?.Retry is not { } retry || policies.Retries?.ContainsKey(retry) != true)
                {
                    yield return $"Resiliency {resiliency.Metadata.Name} does not retry the inbound path of {name} with a defined retry policy";
                }
                else if (policies.Retries[retry].MaxRetries is 0)
                {
                    yield return $"Resiliency {resiliency.Metadata.Name} retry policy {retry} never retries";
                }

                var breakers = new[] { target.Inbound?.CircuitBreaker, target.Outbound?.CircuitBreaker }.Where(b => b is not null).ToList();
                if (breakers.Count == 0 || breakers.Any(b => policies.CircuitBreakers?.ContainsKey(b!) != true))
                {
                    yield return $"Resiliency {resiliency.Metadata.Name} puts no defined circuit breaker on {name}";
                }

                foreach (var timeout in new[] { target.Inbound?.Timeout, target.Outbound?.Timeout }.Where(t => t is not null && policies.Timeouts?.ContainsKey(t) != true))
                {
                    yield return $"Resiliency {resiliency.Metadata.Name} names timeout {timeout}, which it does not define";
                }

                // A scoped Resiliency only applies to the listed apps.
                if (resiliency.Scopes is { Count: > 0 } scopes)
                {
                    foreach (var app in (component.Scopes ?? []).Where(a => !scopes.Contains(a)))
                    {
                        yield return $"Resiliency {resiliency.Metadata.Name} does not apply to {app}, which uses {name}";
                    }
                }
            }
        }
    }

    private static IEnumerable<string> DaprConfigurationPolicy(DeployContext c)
    {
        foreach (var name in c.Manifests.DaprApps.Select(w => w.Annotation("dapr.io/config")).Where(n => n is not null).Distinct())
        {
            var configuration = c.Manifests.Configurations.FirstOrDefault(x => x.Metadata.Name == name);
            if (configuration is null)
            {
                yield return $"Dapr Configuration {name} is not in the manifests";
                continue;
            }

            var spec = configuration.Spec;
            if (spec.Mtls?.Enabled != true)
            {
                yield return $"Configuration {name} does not enable mTLS";
            }

            if (spec.Tracing?.SamplingRate is not { } rate || rate == "0" || spec.Tracing.Otel?.EndpointAddress is null)
            {
                yield return $"Configuration {name} does not trace to an OTLP endpoint";
            }

            if (spec.AccessControl?.DefaultAction != "deny")
            {
                yield return $"Configuration {name} does not deny service invocation by default";
            }

            var appIds = c.Manifests.DaprApps.Select(w => w.AppId).ToHashSet();
            foreach (var policy in spec.AccessControl?.Policies ?? [])
            {
                if (!appIds.Contains(policy.AppId))
                {
                    yield return $"Configuration {name} allows calls from '{policy.AppId}', which is no Dapr app";
                }
            }
        }
    }

    private static IEnumerable<string> NetworkDefaultDeny(DeployContext c)
    {
        var denies = c.Manifests.NetworkPolicies.Any(p =>
            (p.Spec.PodSelector.MatchLabels is null or { Count: 0 }) && (p.Spec.PodSelector.MatchExpressions is null or { Count: 0 })
            && p.Spec.PolicyTypes is { } types && types.Contains("Ingress") && types.Contains("Egress")
            && (p.Spec.Ingress is null or { Count: 0 }) && (p.Spec.Egress is null or { Count: 0 }));
        if (!denies)
        {
            yield return "no NetworkPolicy selects every pod and denies all ingress and egress";
        }
    }

    private static IEnumerable<string> NetworkFlows(DeployContext c)
    {
        var net = new NetworkModel(c.Manifests);
        foreach (var p in c.Manifests.NetworkPolicies)
        {
            foreach (var rule in p.Spec.Ingress ?? [])
            {
                if (rule.FromProperty is null or { Count: 0 })
                {
                    yield return $"NetworkPolicy {p.Metadata.Name} admits ingress from everywhere";
                }
            }

            foreach (var rule in p.Spec.Egress ?? [])
            {
                if (rule.To is null or { Count: 0 } || rule.To.Any(t => t.IpBlock?.Cidr is "0.0.0.0/0" or "::/0"))
                {
                    yield return $"NetworkPolicy {p.Metadata.Name} allows egress to everywhere";
                }
            }
        }

        var gateways = net.Pods.Where(p => p.Component == "gateway").ToList();
        var services = net.Pods.Where(p => p.Component == "service").ToList();
        var stores = net.Pods.Where(p => p.Component == "store").ToList();
        if (gateways.Count == 0 || stores.Count == 0)
        {
            yield return "expected gateway and store pods (app.kubernetes.io/component)";
        }

        foreach (var pod in net.Pods)
        {
            if (!net.AllowsDns(pod))
            {
                yield return $"{pod.Name} cannot resolve names (no egress to kube-dns on 53)";
            }
        }

        foreach (var gateway in gateways)
        {
            if (!net.AllowsFromNamespace(gateway, "ingress-nginx", "http"))
            {
                yield return $"the ingress controller cannot reach {gateway.Name}";
            }

            foreach (var service in services)
            {
                if (!net.Allows(gateway, service, "grpc"))
                {
                    yield return $"{gateway.Name} cannot reach {service.Name} on its grpc port";
                }
            }

            foreach (var store in stores.Where(s => net.Allows(gateway, s, "redis")))
            {
                yield return $"{gateway.Name} can reach {store.Name}; only services may";
            }
        }

        foreach (var pod in gateways.Concat(services))
        {
            if (!net.AllowsToNamespace(pod, "dapr-system", 50001))
            {
                yield return $"{pod.Name}'s sidecar cannot reach Dapr Sentry for its certificate";
            }

            if (!net.AllowsToNamespace(pod, "dapr-system", 6500))
            {
                yield return $"{pod.Name}'s sidecar cannot reach the Dapr operator";
            }
        }

        foreach (var service in services)
        {
            foreach (var store in stores)
            {
                if (!net.Allows(service, store, "redis"))
                {
                    yield return $"{service.Name} cannot reach {store.Name}";
                }
            }

            foreach (var other in services.Where(o => o != service))
            {
                if (net.Allows(service, other, "grpc") || net.Allows(service, other, "http"))
                {
                    yield return $"{service.Name} can call {other.Name} directly; services talk through events";
                }
            }
        }
    }

    private static IEnumerable<string> GatewayDestinations(DeployContext c)
    {
        var gateways = c.Apps.Where(a => a.Destinations.Count > 0).ToList();
        if (gateways.Count == 0)
        {
            yield return "no app has reverse-proxy destinations: the gateway reaches no service";
        }

        foreach (var gateway in gateways)
        {
            foreach (var (key, address) in gateway.Destinations)
            {
                var uri = new Uri(address);
                var service = c.Manifests.Service(uri.Host);
                var port = service?.Spec.Ports?.FirstOrDefault(p => p.Port == uri.Port);
                if (service is null || port is null)
                {
                    yield return $"gateway destination {key} = {address}: no Service {uri.Host} with port {uri.Port}";
                    continue;
                }

                var target = c.Apps.FirstOrDefault(a => service.Spec.Selector?.All(s => a.Workload.Labels.TryGetValue(s.Key, out var v) && v == s.Value) == true);
                var containerPort = target is null ? null : ContainerPort(target.Workload, port.TargetPort ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (target is null || containerPort is null
                    || !target.Endpoints.Values.Any(e => e.Port == containerPort.ContainerPort && e.SpeaksHttp2))
                {
                    yield return $"gateway destination {key} = {address} does not reach an HTTP/2 endpoint of an app";
                }
                else if (uri.Scheme != "http")
                {
                    yield return $"gateway destination {key} = {address}: in-cluster endpoints are h2c (http://)";
                }
            }
        }
    }

    private static IEnumerable<string> IngressPolicy(DeployContext c)
    {
        var ingresses = c.Manifests.Ingresses.ToList();
        if (ingresses.Count == 0)
        {
            yield return "no Ingress exposes the gateway";
        }

        foreach (var ingress in ingresses)
        {
            if (ingress.Spec.Tls is not { Count: > 0 })
            {
                yield return $"Ingress {ingress.Metadata.Name} has no TLS";
            }

            foreach (var backend in (ingress.Spec.Rules ?? []).SelectMany(r => r.Http?.Paths ?? []).Select(p => p.Backend.Service))
            {
                if (backend?.Name != "gateway")
                {
                    yield return $"Ingress {ingress.Metadata.Name} exposes {backend?.Name}; only the gateway is exposed";
                }
            }
        }
    }

    [GeneratedRegex("(password|passwd|secret|token|signingkey|apikey|credential)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLike();

    private static IEnumerable<string> NoSecretValues(DeployContext c)
    {
        foreach (var secret in c.Manifests.Secrets)
        {
            if (secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 })
            {
                yield return $"Secret {secret.Metadata.Name} carries a value; secrets are created on the cluster";
            }
        }

        foreach (var map in c.Manifests.ConfigMaps)
        {
            foreach (var key in (map.Data ?? new Dictionary<string, string>()).Keys.Where(k => SecretLike().IsMatch(k)))
            {
                yield return $"ConfigMap {map.Metadata.Name} holds {key}; it belongs in a Secret";
            }
        }

        foreach (var w in c.Manifests.Workloads)
        {
            foreach (var variable in w.Pod.Containers.SelectMany(x => x.Env ?? []))
            {
                if (SecretLike().IsMatch(variable.Name) && variable.ValueFrom?.SecretKeyRef is null && variable.ValueFrom?.ResourceFieldRef is null)
                {
                    yield return $"{w.Describe} env {variable.Name} is not taken from a Secret";
                }
            }
        }

        foreach (var component in c.Manifests.Components)
        {
            foreach (var item in component.Spec.Metadata.Where(m => SecretLike().IsMatch(m.Name) && !string.IsNullOrEmpty(m.Value)))
            {
                yield return $"Component {component.Metadata.Name} metadata {item.Name} has a literal value; use secretKeyRef";
            }
        }
    }

    private static IEnumerable<string> ProdScaling(DeployContext c)
    {
        if (!c.Production)
        {
            yield break;
        }

        foreach (var d in c.Manifests.Deployments)
        {
            var name = d.Metadata.Name;
            var hpa = c.Manifests.Autoscalers.FirstOrDefault(h => h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == name);
            if (hpa is null)
            {
                yield return $"Deployment {name} has no HorizontalPodAutoscaler";
            }
            else if ((hpa.Spec.MinReplicas ?? 1) < 2)
            {
                yield return $"HorizontalPodAutoscaler {hpa.Metadata.Name} allows fewer than 2 replicas";
            }

            if ((d.Spec.Replicas ?? 1) < 2)
            {
                yield return $"Deployment {name} has {d.Spec.Replicas ?? 1} replica(s), expected ≥ 2";
            }

            var labels = d.Spec.Template.Metadata.Labels ?? new Dictionary<string, string>();
            var pdb = c.Manifests.DisruptionBudgets.FirstOrDefault(p =>
                p.Spec.Selector?.MatchLabels is { Count: > 0 } match && match.All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value));
            if (pdb is null)
            {
                yield return $"Deployment {name} has no PodDisruptionBudget";
            }
        }
    }

    private static IEnumerable<string> ImagesPinned(DeployContext c)
    {
        foreach (var w in c.Manifests.Workloads)
        {
            foreach (var container in w.Pod.Containers)
            {
                var image = container.Image ?? string.Empty;
                var lastSlash = image.LastIndexOf('/');
                var tag = image.LastIndexOf(':') is var colon && colon > lastSlash ? image[(colon + 1)..] : null;
                if (tag is null && !image.Contains('@', StringComparison.Ordinal))
                {
                    yield return $"{w.Describe} image {image} has no tag (set it under images: in the kustomization)";
                }
                else if (c.Production && tag is "latest" or "dev")
                {
                    yield return $"{w.Describe} image {image} is not pinned to a release";
                }
            }
        }
    }

    /// <summary>The container port a probe or Service targets, by name or number.</summary>
    public static V1ContainerPort? ContainerPort(Workload w, IntOrString port)
    {
        var value = port.Value;
        return (w.App.Ports ?? []).FirstOrDefault(p => p.Name == value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == value);
    }
}
