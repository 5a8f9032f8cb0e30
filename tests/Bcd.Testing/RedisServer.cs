using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using Xunit;

namespace Bcd.Testing;

/// <summary>
/// A real redis-server on a free loopback port, in a temporary directory, stopped (and its data
/// deleted) by whoever started it. Tests share one per assembly through <see cref="RedisFixture"/>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port, string? password, ConnectionMultiplexer connection)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
        Connection = connection;
    }

    public int Port { get; }

    /// <summary>Host and port only, never the password (which apps get from Redis:Password, as on the cluster).</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The requirepass of this server, or null when it accepts anyone.</summary>
    public string? Password { get; }

    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisServer> StartAsync(bool appendOnly = false, string? password = null)
    {
        // A free port can be taken by another test run between our probe and redis binding it; then
        // our server exits and the connection would reach someone else's. Check identity and retry.
        for (var attempt = 1; ; attempt++)
        {
            var server = await TryStartAsync(appendOnly, password);
            if (server is not null)
            {
                return server;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException("redis-server could not be started on a free port.");
            }
        }
    }

    private static async Task<RedisServer?> TryStartAsync(bool appendOnly, string? password)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            "redis-server is not on PATH. Run the tests through './bcd test', which installs it.");
        var port = FreePort.Next();
        var directory = Directory.CreateTempSubdirectory("bcd-redis-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
                 {
                     "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
                     "--appendonly", appendOnly ? "yes" : "no", "--daemonize", "no", "--protected-mode", "yes",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            ConnectionMultiplexer connection;
            try
            {
                var options = ConfigurationOptions.Parse($"127.0.0.1:{port},abortConnect=true,connectTimeout=500,allowAdmin=true");
                options.Password = password;
                connection = await ConnectionMultiplexer.ConnectAsync(options);
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
                continue;
            }

            var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoRawAsync("server") ?? string.Empty;
            if (info.Split('\n').Any(line => line.Trim() == $"process_id:{process.Id}"))
            {
                return new RedisServer(process, directory, port, password, connection);
            }

            // Someone else's server answered on this port.
            await connection.DisposeAsync();
            break;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
        return null;
    }

    /// <summary>Empties every key so a test starts from nothing.</summary>
    public Task FlushAsync() => Connection.GetServer(Connection.GetEndPoints()[0]).FlushAllDatabasesAsync();

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A stray file in the temp folder is not worth failing a test run for.
        }
    }

    private static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Append("/usr/bin").Append("/usr/local/bin")
        .Select(dir => Path.Combine(dir, "redis-server"))
        .FirstOrDefault(File.Exists);
}

/// <summary>One redis-server for a whole test collection; each test flushes or uses its own keys.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public static class FreePort
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A port the OS just handed out on 127.0.0.1 and that this process has not handed out before.
    /// The OS may offer a released port again; without the check, a port meant to stay dead (or one
    /// already given to another server) could be given to the next server started.
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }
    }
}
