namespace Bcd.ServiceDefaults.EventBus;

public enum EventTransportKind
{
    /// <summary>Redis Streams: local runs and tests.</summary>
    Redis,

    /// <summary>Dapr pub/sub through the sidecar: clusters.</summary>
    Dapr,
}

/// <summary>Configuration section "EventBus".</summary>
public sealed class EventBusOptions
{
    public const string SectionName = "EventBus";

    public EventTransportKind Transport { get; set; } = EventTransportKind.Redis;

    /// <summary>The Dapr pub/sub component every service uses.</summary>
    public string PubSubName { get; set; } = "bcd-pubsub";

    /// <summary>Deliveries of one event to one subscriber before it goes to the dead-letter topic.</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>How long a delivered event may stay unacknowledged before another consumer claims it.</summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often consumers look for new or stale entries when no wake-up arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events read per batch.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Set false to run a process that only consumes (tests of a single relay, tools).</summary>
    public bool RelayEnabled { get; set; } = true;

    public static string StreamKey(string topic) => "bcd:events:" + topic;

    public static string WakeChannel(string topic) => "bcd:events:wake:" + topic;

    /// <summary>Each subscribing service has one dead-letter topic for everything it could not handle.</summary>
    public static string DeadLetterTopic(string service) => "bcd.deadletter." + service;
}
