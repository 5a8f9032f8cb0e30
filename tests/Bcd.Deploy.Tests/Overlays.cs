namespace Bcd.Deploy.Tests;

/// <summary>The overlays under k8s/overlays and the broken fixtures under Fixtures/, found on disk.</summary>
public static class Overlays
{
    public static string Dir(string overlay) => Bcd.Testing.Repo.Path("k8s", "overlays", overlay);

    public static bool IsProduction(string overlay) => overlay == "prod";

    public static IReadOnlyList<string> Names { get; } =
        Directory.GetDirectories(Bcd.Testing.Repo.Path("k8s", "overlays")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    public static string FixturesDir => Bcd.Testing.Repo.Path("tests", "Bcd.Deploy.Tests", "Fixtures");

    /// <summary>Fixture folders named after the policy each one breaks.</summary>
    public static IReadOnlyList<string> Fixtures { get; } =
        Directory.GetDirectories(FixturesDir).Select(Path.GetFileName).Where(n => !n!.StartsWith('_')).Order(StringComparer.Ordinal).ToList()!;

    public static TheoryData<string> OverlayData()
    {
        var data = new TheoryData<string>();
        foreach (var overlay in Names)
        {
            data.Add(overlay);
        }

        return data;
    }

    public static TheoryData<string, string> OverlayPolicyData()
    {
        var data = new TheoryData<string, string>();
        foreach (var overlay in Names)
        {
            foreach (var policy in Policies.All)
            {
                data.Add(overlay, policy.Id);
            }
        }

        return data;
    }

    public static TheoryData<string> FixtureData()
    {
        var data = new TheoryData<string>();
        foreach (var fixture in Fixtures)
        {
            data.Add(fixture);
        }

        return data;
    }
}
