namespace Bcd.ServiceDefaults.Storage;

/// <summary>Key names of one service's key space (ARCHITECTURE §5: every key is prefixed by the service).</summary>
public sealed class StoreKeys(string service)
{
    public string Service { get; } = service;

    public string Prefix { get; } = service + ":";

    public string Outbox => Prefix + "outbox";

    public string OutboxCursor => Prefix + "outbox:cursor";

    public string OutboxLock => Prefix + "outbox:lock";

    public string Aggregate(string type, string id) => $"{Prefix}{type}:{id}";

    public string Index(string name) => Prefix + "idx:" + name;

    public string Idempotency(string scope, string requestId) => $"{Prefix}idem:{scope}:{requestId}";

    public string Inbox(string eventId) => $"{Prefix}inbox:{eventId}";
}
