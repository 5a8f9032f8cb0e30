using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Tests;

public static class RedisAdmin
{
    /// <summary>Empties the server between tests. RedisServer.FlushAsync cannot: its connection is not in admin mode.</summary>
    public static async Task FlushAsync(Bcd.Testing.RedisServer server)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).FlushAllDatabasesAsync();
    }
}
