using System.Text.Json;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>Real contract events used as test payloads.</summary>
public static class TestEvents
{
    public const string Committee = "bac-ninh";

    public static string AgencyTopic => AgencyRegistered.Descriptor.FullName;

    public static string MemberTopic => MemberAppointed.Descriptor.FullName;

    public static AgencyRegistered Agency(string agencyId) => new()
    {
        CommitteeId = Committee,
        Agency = new Agency { AgencyId = agencyId, CommitteeId = Committee, Name = "Sở " + agencyId, ShortName = agencyId },
        OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow),
    };

    public static MemberAppointed Member(string personId) => new()
    {
        CommitteeId = Committee,
        Person = new Person { PersonId = personId, FullName = "Nguyễn Văn " + personId },
        Seat = new Seat { SeatId = "seat-" + personId, Title = "Ủy viên" },
        OccurredAt = Timestamp.FromDateTime(DateTime.UtcNow),
    };

    /// <summary>A structured-mode CloudEvent written by hand, as another publisher or the Dapr sidecar would send it.</summary>
    public static string CloudEventJson(string id, IMessage data, string source = "/bcd/svc-pub", string subject = Committee)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", id);
            writer.WriteString("source", source);
            writer.WriteString("type", data.Descriptor.FullName);
            writer.WriteString("subject", subject);
            writer.WriteString("time", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("datacontenttype", "application/json");
            writer.WritePropertyName("data");
            writer.WriteRawValue(JsonFormatter.Default.Format(data));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Stream(string topic) => "bcd:events:" + topic;

    public static Task<RedisValue> XAddAsync(IDatabase db, string topic, string cloudEvent) =>
        db.StreamAddAsync(Stream(topic), [new NameValueEntry("cloudevent", cloudEvent)]);
}

/// <summary>What a test handler does and how often it ran; one per app instance, shared through DI.</summary>
public sealed class Probe
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Runs inside the handler before it records its effect: block, throw, or nothing.</summary>
    public Func<CancellationToken, Task> Behavior { get; set; } = _ => Task.CompletedTask;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task EnterAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        Entered.TrySetResult();
        await Behavior(ct);
    }

    public static Probe BlockingUntilStopped() => new() { Behavior = ct => Task.Delay(Timeout.Infinite, ct) };

    public static Probe Failing() => new() { Behavior = _ => throw new InvalidOperationException("handler always fails") };
}

/// <summary>Effects a handler leaves in Redis: an append-only list (so a second effect shows) per service.</summary>
public static class Effects
{
    public static string ListKey(string service) => service + ":effects:history";

    public static async Task<IReadOnlyList<string>> ReadAsync(IDatabase db, string service) =>
        (await db.ListRangeAsync(ListKey(service))).Select(v => StringValue.Parser.ParseFrom((byte[])v!).Value).ToList();

    public static void Record(ChangeSet changes, string value) =>
        changes.History(changes.Keys.Prefix + "effects", new StringValue { Value = value });
}

public sealed class AgencyHandler(Probe probe) : IIntegrationEventHandler<AgencyRegistered>
{
    public async Task HandleAsync(AgencyRegistered evt, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        await probe.EnterAsync(cancellationToken);
        Effects.Record(context.Changes, evt.Agency.AgencyId);
        context.Changes.HashSet(context.Changes.Keys.Prefix + "agency-events", evt.Agency.AgencyId, context.EventId);
        context.Changes.HashSet(context.Changes.Keys.Prefix + "agency-sequences", evt.Agency.AgencyId, context.Sequence);
    }
}

public sealed class MemberHandler(Probe probe) : IIntegrationEventHandler<MemberAppointed>
{
    public async Task HandleAsync(MemberAppointed evt, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        await probe.EnterAsync(cancellationToken);
        Effects.Record(context.Changes, "member:" + evt.Person.PersonId);
    }
}
