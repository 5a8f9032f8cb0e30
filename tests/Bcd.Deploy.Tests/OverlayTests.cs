using Bcd.Deploy.Tests.Model;

namespace Bcd.Deploy.Tests;

/// <summary>Each overlay builds with kubectl kustomize, parses strictly and keeps every policy.</summary>
public sealed class OverlayTests
{
    [Fact]
    public void DevAndProdOverlaysExist() =>
        Assert.Equal(["dev", "prod"], Overlays.Names);

    [Theory]
    [MemberData(nameof(Overlays.OverlayData), MemberType = typeof(Overlays))]
    public void OverlayBuildsAndEveryDocumentParsesStrictly(string overlay)
    {
        var yaml = Kustomize.Build(Overlays.Dir(overlay));
        var manifests = ManifestSet.Parse(overlay, yaml);

        var documents = yaml.Split("\n---\n").Length;
        Assert.Equal(documents, manifests.Objects.Count);
        Assert.Single(manifests.Namespaces);
        Assert.NotEmpty(manifests.Deployments);
        Assert.Single(manifests.StatefulSets);
        Assert.NotEmpty(manifests.Components);
        Assert.NotEmpty(manifests.Resiliencies);
        Assert.NotEmpty(manifests.Configurations);
        Assert.NotEmpty(manifests.NetworkPolicies);
        Assert.NotEmpty(manifests.Ingresses);
    }

    [Theory]
    [MemberData(nameof(Overlays.OverlayPolicyData), MemberType = typeof(Overlays))]
    public void OverlayKeepsPolicy(string overlay, string policyId)
    {
        var context = DeployContext.Load(Overlays.Dir(overlay), Overlays.IsProduction(overlay));
        var violations = Policies.Get(policyId).Check(context).ToList();
        Assert.True(violations.Count == 0, $"{overlay} breaks {policyId}:\n  " + string.Join("\n  ", violations));
    }

    [Theory]
    [MemberData(nameof(Overlays.OverlayData), MemberType = typeof(Overlays))]
    public void EveryDeployableProjectRunsInTheOverlay(string overlay)
    {
        var context = DeployContext.Load(Overlays.Dir(overlay), Overlays.IsProduction(overlay));
        Assert.NotEmpty(Deployable.All);
        Assert.Equal(
            Deployable.All.Select(d => d.Name).Order(StringComparer.Ordinal),
            context.Apps.Select(a => a.Project.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void DevRunsOneReplicaOfEachStatelessDeploymentWithoutAutoscaling()
    {
        var dev = Kustomize.Load(Overlays.Dir("dev"));
        Assert.All(dev.Deployments, d => Assert.Equal(1, d.Spec.Replicas));
        Assert.Empty(dev.Autoscalers);
    }

    /// <summary>
    /// The apps format dates in Asia/Ho_Chi_Minh and messages in vi-VN: a plain chiseled image has
    /// neither time-zone nor ICU data. The image's user is the pod's numeric runAsUser, so the
    /// kubelet can verify runAsNonRoot.
    /// </summary>
    [Fact]
    public void EveryImageCarriesTimeZoneDataAndRunsAsThePodsUser()
    {
        var prod = Kustomize.Load(Overlays.Dir("prod"));
        Assert.All(Deployable.All, project =>
        {
            Assert.NotNull(project.ContainerBaseImage);
            Assert.True(!project.ContainerBaseImage.Contains("chiseled", StringComparison.Ordinal) || project.ContainerBaseImage.EndsWith("-extra", StringComparison.Ordinal),
                $"{project.Name}: {project.ContainerBaseImage} lacks tzdata and ICU");
            var deployment = prod.Deployments.Single(d => project.Builds(d.Spec.Template.Spec.Containers[0].Image));
            var user = deployment.Spec.Template.Spec.Containers[0].SecurityContext?.RunAsUser ?? deployment.Spec.Template.Spec.SecurityContext?.RunAsUser;
            Assert.Equal(project.ContainerUser, user?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    /// <summary>Secrets are created by hand on the cluster, so each one the manifests use is in the README's steps.</summary>
    [Fact]
    public void EverySecretTheManifestsUseIsCreatedInTheReadme()
    {
        var prod = Kustomize.Load(Overlays.Dir("prod"));
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var w in prod.Workloads)
        {
            used.UnionWith(w.Pod.Containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name).OfType<string>());
            used.UnionWith(new[] { "dapr.io/api-token-secret", "dapr.io/app-token-secret" }.Select(w.Annotation).OfType<string>());
        }

        used.UnionWith(prod.Components.SelectMany(c => c.Spec.Metadata).Select(m => m.SecretKeyRef?.Name).OfType<string>());
        used.UnionWith(prod.Ingresses.SelectMany(i => i.Spec.Tls ?? []).Select(t => t.SecretName).OfType<string>());

        var readme = File.ReadAllText(Bcd.Testing.Repo.Path("README.md"));
        var deploy = readme[readme.IndexOf("## Deploy to a cluster", StringComparison.Ordinal)..];
        Assert.NotEmpty(used);
        Assert.All(used, secret => Assert.Matches($@"kubectl -n bcd create secret \w+ {secret} ", deploy));
    }
}
