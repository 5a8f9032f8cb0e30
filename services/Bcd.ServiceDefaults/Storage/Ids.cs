namespace Bcd.ServiceDefaults.Storage;

/// <summary>Identifiers of new aggregates: a readable prefix and a time-ordered UUIDv7 ("mtg-0192…").</summary>
public static class Ids
{
    public static string New(string prefix, DateTimeOffset now) => $"{prefix}-{Guid.CreateVersion7(now):N}";
}
