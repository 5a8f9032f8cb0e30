using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Storage;

public static class RedisConnections
{
    /// <summary>Configuration key of the Redis password (env var Redis__Password, from a Secret on the cluster).</summary>
    public const string PasswordKey = "Redis:Password";

    /// <summary>
    /// Options every Bcd connection uses: keep retrying in the background instead of failing at start-up,
    /// so a pod that starts before Redis becomes ready (readiness says so) rather than crash-looping.
    /// A non-empty Redis:Password replaces any password in the connection string: the connection string
    /// sits in a ConfigMap while the password comes from a Secret, and the Secret is what operators rotate,
    /// so a stale password left in the ConfigMap must not win over it.
    /// </summary>
    public static ConfigurationOptions Options(string connectionString, string clientName, IConfiguration? configuration = null)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ClientName = clientName;
        if (configuration?[PasswordKey] is { Length: > 0 } password)
        {
            options.Password = password;
        }

        return options;
    }
}
