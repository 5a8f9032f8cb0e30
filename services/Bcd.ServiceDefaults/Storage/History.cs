using Bcd.Contracts.Common.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.ServiceDefaults.Storage;

/// <summary>X1: one append-only history entry — who (in which capacity), when, what, for which request.</summary>
public static class History
{
    public static HistoryEntry Entry(string action, string summary, Actor actor, DateTimeOffset at, string requestId) => new()
    {
        Time = Timestamp.FromDateTimeOffset(at),
        Actor = actor,
        Action = action,
        Summary = summary,
        RequestId = requestId,
    };
}
