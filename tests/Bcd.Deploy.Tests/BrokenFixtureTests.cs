using Bcd.Deploy.Tests.Model;
using Xunit.Abstractions;

namespace Bcd.Deploy.Tests;

/// <summary>
/// Every policy is shown to fail: each folder under Fixtures/ is the prod overlay with one careless
/// edit (a kustomize patch), named after the policy that must catch it.
/// </summary>
public sealed class BrokenFixtureTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Overlays.FixtureData), MemberType = typeof(Overlays))]
    public void BrokenFixtureIsCaughtByItsPolicy(string fixture)
    {
        var context = DeployContext.Load(Path.Combine(Overlays.FixturesDir, fixture), production: true);
        var violations = Policies.Get(fixture).Check(context).ToList();
        foreach (var violation in violations)
        {
            output.WriteLine(violation);
        }

        // The fixture names what its policy must report ("# expect: ..."), so it fails for its own reason.
        var expected = File.ReadLines(Path.Combine(Overlays.FixturesDir, fixture, "kustomization.yaml"))
            .Single(l => l.StartsWith("# expect: ", StringComparison.Ordinal))["# expect: ".Length..];
        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPolicyHasABrokenFixture()
    {
        Assert.Empty(Policies.All.Select(p => p.Id).Except(Overlays.Fixtures));
        Assert.Empty(Overlays.Fixtures.Except(Policies.All.Select(p => p.Id)));
    }

    [Fact]
    public void MisspelledKubernetesFieldFailsTheParse()
    {
        var yaml = Kustomize.Build(Path.Combine(Overlays.FixturesDir, "_strict-parse-kubernetes"));
        var error = Assert.ThrowsAny<Exception>(() => ManifestSet.Parse("broken", yaml));
        Assert.Contains("readinesProbe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MisspelledDaprFieldFailsTheParse()
    {
        var yaml = Kustomize.Build(Path.Combine(Overlays.FixturesDir, "_strict-parse-dapr"));
        var error = Assert.ThrowsAny<Exception>(() => ManifestSet.Parse("broken", yaml));
        Assert.Contains("inbond", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKindFailsTheParse()
    {
        const string yaml = "apiVersion: dapr.io/v1alpha1\nkind: Subscriptionz\nmetadata:\n  name: x\n";
        Assert.ThrowsAny<Exception>(() => ManifestSet.Parse("broken", yaml));
    }

    [Fact]
    public void KustomizationThatDoesNotBuildFails()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Kustomize.Build(Path.Combine(Overlays.FixturesDir, "_missing-resource")));
        Assert.Contains("kustomize", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// No service subscribes to anything yet, so no manifest can break the subscription half of the
    /// topic rule; instead the real prod manifests are held against membership as if its code
    /// subscribed to one more topic.
    /// </summary>
    [Fact]
    public void TopicSubscribedInCodeButMissingFromTheScopesIsCaught()
    {
        var context = DeployContext.Load(Overlays.Dir("prod"), production: true);
        var membership = context.Apps.Single(a => a.Workload.Name == "membership");
        var subscribing = membership.WithSubscriptions(new Subscribed("bcd.events.v1.MeetingScheduled", "bcd.deadletter.membership"));
        var changed = new DeployContext(context.Manifests, context.Apps.Select(a => a == membership ? subscribing : a).ToList(), production: true);

        var violations = Policies.Get("pubsub-topics").Check(changed).ToList();

        Assert.Contains(violations, v => v.Contains("subscriptionScopes", StringComparison.Ordinal) && v.Contains("bcd.events.v1.MeetingScheduled", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("publishingScopes", StringComparison.Ordinal) && v.Contains("bcd.deadletter.membership", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("allowedTopics", StringComparison.Ordinal) && v.Contains("bcd.events.v1.MeetingScheduled", StringComparison.Ordinal));
    }

    [Fact]
    public void SubscriptionWithoutDeadLetterTopicIsCaught()
    {
        var context = DeployContext.Load(Overlays.Dir("prod"), production: true);
        var membership = context.Apps.Single(a => a.Workload.Name == "membership");
        var changed = new DeployContext(context.Manifests,
            context.Apps.Select(a => a == membership ? membership.WithSubscriptions(new Subscribed("bcd.events.v1.MeetingScheduled", string.Empty)) : a).ToList(),
            production: true);

        Assert.Contains(Policies.Get("pubsub-topics").Check(changed), v => v.Contains("without a dead-letter topic", StringComparison.Ordinal));
    }

    [Fact]
    public void ScopeParsingReadsDaprSyntax()
    {
        var scopes = Policies.ParseScopes("app1=t1,t2;app2=;app3=t3");
        Assert.Equal(["t1", "t2"], scopes["app1"].Order());
        Assert.Empty(scopes["app2"]);
        Assert.Equal(["t3"], scopes["app3"]);
    }
}
