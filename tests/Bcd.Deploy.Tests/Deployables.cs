using System.Reflection;
using System.Xml.Linq;
using Bcd.ServiceDefaults.Hosting;

namespace Bcd.Deploy.Tests;

/// <summary>
/// A project that becomes a container image: a csproj under services/ or gateway/ with a
/// ContainerRepository (what `dotnet publish -t:PublishContainer` names the image).
/// </summary>
public sealed record Deployable(string ProjectPath, string ContainerRepository, string AssemblyName, string? ContainerBaseImage, string? ContainerUser)
{
    public string ProjectDir => Path.GetDirectoryName(ProjectPath)!;

    public string Name => Path.GetFileNameWithoutExtension(ProjectPath);

    /// <summary>Every deployable project of the solution, found on disk and cross-checked with Bcd.sln.</summary>
    public static IReadOnlyList<Deployable> All { get; } = Discover();

    /// <summary>The IBcdApp the project builds (its assembly is referenced by glob from this test project).</summary>
    public Type AppType
    {
        get
        {
            var assembly = Assembly.Load(new AssemblyName(AssemblyName));
            var apps = assembly.GetExportedTypes().Where(t => typeof(IBcdApp).IsAssignableFrom(t) && !t.IsAbstract).ToList();
            return apps.Count == 1
                ? apps[0]
                : throw new InvalidOperationException($"{Name} must expose exactly one public IBcdApp (found {apps.Count}).");
        }
    }

    /// <summary>True when a container image name (registry/repository:tag) is this project's image.</summary>
    public bool Builds(string image)
    {
        var withoutTag = image.Split('@')[0];
        var lastSlash = withoutTag.LastIndexOf('/');
        var colon = withoutTag.LastIndexOf(':');
        var repository = colon > lastSlash ? withoutTag[..colon] : withoutTag;
        return repository == ContainerRepository || repository.EndsWith("/" + ContainerRepository, StringComparison.Ordinal);
    }

    private static List<Deployable> Discover()
    {
        var root = Bcd.Testing.Repo.Root;
        var solution = File.ReadAllText(Path.Combine(root, "Bcd.sln")).Replace('\\', '/');
        var found = new List<Deployable>();
        foreach (var folder in new[] { "services", "gateway" })
        {
            foreach (var project in Directory.EnumerateFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories))
            {
                if (project.Contains("/bin/", StringComparison.Ordinal) || project.Contains("/obj/", StringComparison.Ordinal))
                {
                    continue;
                }

                var xml = XDocument.Load(project);
                var repository = xml.Descendants("ContainerRepository").FirstOrDefault()?.Value;
                if (string.IsNullOrEmpty(repository))
                {
                    continue;
                }

                var relative = Path.GetRelativePath(root, project).Replace('\\', '/');
                if (!solution.Contains(relative, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{relative} builds an image but is not in Bcd.sln.");
                }

                var assemblyName = xml.Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);
                found.Add(new Deployable(project, repository, assemblyName,
                    xml.Descendants("ContainerBaseImage").FirstOrDefault()?.Value, xml.Descendants("ContainerUser").FirstOrDefault()?.Value));
            }
        }

        return found.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }
}
