using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Bcd.Testing;

/// <summary>
/// A Bcd app started in-process on real loopback sockets: an HTTP/1.1 port (REST, health, Dapr
/// routes) and an HTTP/2 port (gRPC). Stopped by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, int httpPort, int grpcPort)
    {
        App = app;
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri HttpAddress { get; }

    public Uri GrpcAddress { get; }

    /// <summary>
    /// Starts an app built by <paramref name="create"/> (e.g. MembershipApp.Create) with the given
    /// settings plus free ports, the test signing key and the "Testing" environment.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        Func<string[], Action<WebApplicationBuilder>?, WebApplication> create,
        string contentRoot,
        IEnumerable<string> settings,
        Action<WebApplicationBuilder>? configure = null)
    {
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var args = new List<string>
        {
            "--environment=Testing",
            $"--contentRoot={contentRoot}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--Kestrel:Endpoints:Http:Protocols=Http1",
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(TestTokens.Settings());
        args.AddRange(settings);
        var app = create([.. args], configure);
        await app.StartAsync();
        return new TestApp(app, httpPort, grpcPort);
    }

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(GrpcAddress);

    public HttpClient CreateHttpClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = HttpAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public static class CallOptionsExtensions
{
    public static Metadata Bearer(string token) => new() { { "Authorization", "Bearer " + token } };
}

/// <summary>Locates folders of the repository from a test's output directory.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Bcd.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Bcd.sln not found above " + AppContext.BaseDirectory);
    }
}
