using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Storage;

public static class RedisConnections
{
    /// <summary>
    /// Options every Bcd connection uses: keep retrying in the background instead of failing at start-up,
    /// so a pod that starts before Redis becomes ready (readiness says so) rather than crash-looping.
    /// </summary>
    public static ConfigurationOptions Options(string connectionString, string clientName)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ClientName = clientName;
        return options;
    }
}
