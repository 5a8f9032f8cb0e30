using Microsoft.Extensions.Configuration;

namespace Bcd.AppHost;

/// <summary>Ports of one app in the local run: HTTP/1.1 (REST, health) and HTTP/2 (gRPC).</summary>
internal sealed record LocalPorts(int Http, int Grpc)
{
    public string HttpUrl => $"http://127.0.0.1:{Http}";

    public string GrpcUrl => $"http://127.0.0.1:{Grpc}";
}

/// <summary>
/// The fixed local layout (ports, data folder, the development signing key) — development only;
/// a cluster takes all of these from its own configuration and secrets.
/// </summary>
internal sealed class LocalTopology
{
    // Development-only key, also in the services' appsettings.Development.json; never used on a cluster.
    public const string DevelopmentSigningKey = "9tW75F+kAVQyAisK4Uqr6+nyDbjhsIjTO5Qi+7reQD0=";

    public required string RepositoryRoot { get; init; }

    public required int RedisPort { get; init; }

    public required string RedisDataDirectory { get; init; }

    public string RedisConnection => $"127.0.0.1:{RedisPort}";

    public required LocalPorts Gateway { get; init; }

    public required LocalPorts Membership { get; init; }

    public required LocalPorts Meetings { get; init; }

    public required LocalPorts Tasks { get; init; }

    public static LocalTopology FromConfiguration(IConfiguration configuration)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Bcd.sln")))
        {
            root = root.Parent;
        }

        var repositoryRoot = root?.FullName ?? Directory.GetCurrentDirectory();

        // Fixed ports for a person at a terminal; the end-to-end tests pass free ones.
        return new LocalTopology
        {
            RepositoryRoot = repositoryRoot,
            RedisPort = configuration.GetValue("Bcd:RedisPort", 6380),
            RedisDataDirectory = configuration["Bcd:DataDirectory"] ?? Path.Combine(repositoryRoot, ".data", "redis"),
            Gateway = new LocalPorts(configuration.GetValue("Bcd:GatewayHttpPort", 5000), configuration.GetValue("Bcd:GatewayGrpcPort", 5001)),
            Membership = new LocalPorts(configuration.GetValue("Bcd:MembershipHttpPort", 5101), configuration.GetValue("Bcd:MembershipGrpcPort", 5102)),
            Meetings = new LocalPorts(configuration.GetValue("Bcd:MeetingsHttpPort", 5111), configuration.GetValue("Bcd:MeetingsGrpcPort", 5112)),
            Tasks = new LocalPorts(configuration.GetValue("Bcd:TasksHttpPort", 5121), configuration.GetValue("Bcd:TasksGrpcPort", 5122)),
        };
    }

    public void PrintWelcome()
    {
        var token = $"{Gateway.HttpUrl}/dev/token?sub=pham-hoang-son&name=Pham%20Hoang%20Son&committee=bac-ninh&agency=ubnd-tinh&roles=head";
        Console.WriteLine($"""

            ==== Bcd is starting (development) ====
            Gateway (REST, gRPC-Web): {Gateway.HttpUrl}      gRPC (h2c): {Gateway.GrpcUrl}
            Dashboard: http://localhost:18888      Redis: {RedisConnection} (AOF in {RedisDataDirectory})
            Development tokens (one per role), e.g.:
              Head (Trưởng Ban):      curl -s '{token}'
              Standing Agency staff:  curl -s '{Gateway.HttpUrl}/dev/token?sub=can-bo-ca&name=Can%20bo%20CA&committee=bac-ninh&agency=cong-an-tinh&roles=standing-agency'
              Province chairman:      curl -s '{Gateway.HttpUrl}/dev/token?sub=chu-tich-hn&name=Chu%20tich&province=H%C3%A0%20N%E1%BB%99i&roles=province-chairman'
            Roster of the seeded Bắc Ninh committee:
              TOKEN=$(curl -s '{token}'); curl -s -H "Authorization: Bearer $TOKEN" {Gateway.HttpUrl}/api/v1/committees/bac-ninh/roster
            =======================================

            """);
    }
}

internal static class ResourceSettings
{
    /// <summary>What every Bcd app needs locally: its ports, Redis, the redis event transport, the dev identity.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> app, LocalTopology local, LocalPorts ports) =>
        app.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithEnvironment("Kestrel__Endpoints__Http__Url", ports.HttpUrl)
            .WithEnvironment("Kestrel__Endpoints__Grpc__Url", ports.GrpcUrl)
            .WithEnvironment("ConnectionStrings__redis", local.RedisConnection)
            .WithEnvironment("EventBus__Transport", "Redis")
            .WithEnvironment("Identity__Issuer", "bcd-dev")
            .WithEnvironment("Identity__Audience", "bcd")
            .WithEnvironment("Identity__SigningKey", LocalTopology.DevelopmentSigningKey);
}
