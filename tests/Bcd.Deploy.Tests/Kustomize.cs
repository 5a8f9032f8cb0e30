using System.Collections.Concurrent;
using System.Diagnostics;
using Bcd.Deploy.Tests.Model;

namespace Bcd.Deploy.Tests;

/// <summary>
/// Builds a kustomization with the real kubectl (KUBECTL, else kubectl on PATH; `./bcd test`
/// provides one when the machine has none). Each directory is built once per test run.
/// </summary>
public static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<ManifestSet>> Sets = new();

    public static string Kubectl =>
        Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } path ? path : "kubectl";

    /// <summary>The parsed output of `kubectl kustomize dir`.</summary>
    public static ManifestSet Load(string dir) =>
        Sets.GetOrAdd(Path.GetFullPath(dir), d => new Lazy<ManifestSet>(() => ManifestSet.Parse(Name(d), Build(d)))).Value;

    public static string Build(string dir)
    {
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(dir);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {Kubectl}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {dir} did not finish in 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {dir} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    private static string Name(string dir) => Path.GetRelativePath(Bcd.Testing.Repo.Root, dir);
}
