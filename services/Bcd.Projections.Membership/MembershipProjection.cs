using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Bcd.Projections.Membership;

/// <summary>
/// A subscribing service's own copy of membership (issue 4, item 2): built only from membership
/// events, kept in that service's Redis key space (the RedisStore's prefix, e.g. <c>meetings:</c>),
/// read by every authority check through <see cref="IMembershipView"/>. Membership is never called.
/// </summary>
/// <remarks>
/// <para>Every membership event carries a whole entity (the committee, an agency, a seat with all its
/// tenures, a delegation, a group, a secondment), so applying an event replaces that entity's
/// snapshot. Replaying the same history, or the same events in another order, ends in the same state.</para>
/// <para>Keys, per committee:
/// <c>membership:{id}:entities</c> (hash: entity → protobuf snapshot),
/// <c>membership:{id}:seq:{entity}</c> (versioned aggregate: the sequence of the snapshot applied),
/// <c>membership:{id}:events</c> (set: ids of the events handled, whose inbox marks a rebuild clears),
/// and <c>idx:membership-committees</c>.</para>
/// <para>Ordering: a redelivered older event can arrive after a newer one about the same entity; its
/// sequence (the publisher's outbox position) is not newer than the one applied, so it is dropped.
/// The per-entity guard also makes two concurrent events about one entity conflict (the dispatcher
/// runs the loser again), while events about different entities of a committee never do. An event
/// without a sequence cannot be ordered: it is applied, and leaves the entity's sequence as it was.</para>
/// </remarks>
public sealed partial class MembershipProjection(RedisStore store, ILogger<MembershipProjection> logger) : IMembershipView
{
    private const string CommitteeEntity = "committee";
    private const string AgencyKind = "agency";
    private const string SeatKind = "seat";
    private const string DelegationKind = "delegation";
    private const string GroupKind = "group";
    private const string SecondmentKind = "secondment";

    // One script, so a handler running meanwhile sees the projection either whole or gone (its guard
    // check then fails and the dispatcher runs it again on the empty projection).
    private const string DropScript = """
        local entities = redis.call('HKEYS', ARGV[1])
        for _, entity in ipairs(entities) do redis.call('DEL', ARGV[2] .. entity) end
        local events = redis.call('SMEMBERS', ARGV[3])
        for _, id in ipairs(events) do redis.call('DEL', ARGV[4] .. id) end
        redis.call('DEL', ARGV[1], ARGV[3])
        redis.call('SREM', ARGV[5], ARGV[6])
        return #entities
        """;

    private string CommitteeIndex => store.Keys.Index("membership-committees");

    public async Task<CommitteeView?> GetCommitteeAsync(string committeeId, CancellationToken ct = default)
    {
        var entries = await store.Database.HashGetAllAsync(EntitiesKey(committeeId));
        return ToView(entries);
    }

    // ---- applying events ---------------------------------------------------------------------------

    public async Task ApplyAsync(CommitteeCreated evt, IntegrationEventContext context)
    {
        var committee = new Committee
        {
            CommitteeId = evt.CommitteeId,
            Province = evt.Province,
            Name = evt.Name,
            StandingAgencyId = evt.StandingAgencyId,
            ProvincialGovernmentAgencyId = evt.ProvincialGovernmentAgencyId,
            FoundingDecision = evt.FoundingDecision,
            CreatedAt = evt.OccurredAt,
        };
        await ApplySnapshotAsync(evt.CommitteeId, CommitteeEntity, committee, context);

        // The founding seats, vacant ones included (no other event names a seat until it is filled).
        // A seat's later MemberAppointed carries a newer sequence, so whichever arrives first, it wins.
        foreach (var seat in evt.Seats)
        {
            await ApplyAsync(evt.CommitteeId, seat, context);
        }
    }

    public Task ApplyAsync(string committeeId, Agency? agency, IntegrationEventContext context) =>
        ApplySnapshotAsync(committeeId, Entity(AgencyKind, Required(agency, "agency").AgencyId), agency!, context);

    public Task ApplyAsync(string committeeId, Seat? seat, IntegrationEventContext context)
    {
        Required(seat, "seat");
        foreach (var tenure in seat!.Tenures)
        {
            // A tenure the view cannot express would break every later read of the committee: refuse it here.
            if (tenure.Person is null || !tenure.From.IsValid() || (tenure.Until is not null && !tenure.Until.IsValid()) ||
                tenure.Until?.ToDateOnly() == DateOnly.MinValue)
            {
                throw new MalformedEventException($"Seat {seat.SeatId} carries a tenure without a person or valid dates.");
            }
        }

        if ((seat.CreatedOn is not null && !seat.CreatedOn.IsValid()) || (seat.RemovedOn is not null && !seat.RemovedOn.IsValid()))
        {
            throw new MalformedEventException($"Seat {seat.SeatId} carries an invalid date.");
        }

        return ApplySnapshotAsync(committeeId, Entity(SeatKind, seat.SeatId), seat, context);
    }

    public Task ApplyAsync(string committeeId, Delegation? delegation, IntegrationEventContext context)
    {
        Required(delegation, "delegation");
        if (delegation!.ValidFrom is null || delegation.ValidUntil is null)
        {
            throw new MalformedEventException($"Delegation {delegation.DelegationId} has no validity window.");
        }

        return ApplySnapshotAsync(committeeId, Entity(DelegationKind, delegation.DelegationId), delegation, context);
    }

    public Task ApplyAsync(string committeeId, WorkingGroup? group, IntegrationEventContext context)
    {
        Required(group, "group");
        if (group!.Members.Any(m => m.Person is null))
        {
            throw new MalformedEventException($"Group {group.GroupId} has a member without a person.");
        }

        return ApplySnapshotAsync(committeeId, Entity(GroupKind, group.GroupId), group, context);
    }

    /// <summary>Kept for the rules that will need it; <see cref="CommitteeView"/> does not show secondments yet.</summary>
    public Task ApplyAsync(string committeeId, Secondment? secondment, IntegrationEventContext context) =>
        ApplySnapshotAsync(committeeId, Entity(SecondmentKind, Required(secondment, "secondment").SecondmentId), secondment!, context);

    private async Task ApplySnapshotAsync(string committeeId, string entity, IMessage snapshot, IntegrationEventContext context)
    {
        if (string.IsNullOrEmpty(committeeId))
        {
            throw new MalformedEventException($"{context.Type} {context.EventId} names no committee.");
        }

        var changes = context.Changes;
        // Recorded even when the event is dropped below, so a rebuild lets every handled event in again.
        changes.SetAdd(EventsKey(committeeId), context.EventId);

        var guardKey = GuardKey(committeeId, entity);
        var guard = await store.LoadAsync(guardKey, StringValue.Parser);
        var applied = guard?.State.Value ?? string.Empty;
        if (context.Sequence.Length == 0)
        {
            LogUnordered(logger, context.Type, context.EventId, entity, committeeId);
        }
        else if (applied.Length > 0 && !EventSequence.IsNewer(context.Sequence, applied))
        {
            LogStale(logger, context.Type, context.EventId, entity, committeeId, context.Sequence, applied);
            return;
        }

        // No CommitteeCreated yet is fine: the entities wait in the committee's hash (a shell the view
        // does not show) until it arrives, so an early event is never lost.
        changes.Save(guardKey, guard?.Version ?? 0, new StringValue { Value = context.Sequence.Length > 0 ? context.Sequence : applied })
            .HashSet(EntitiesKey(committeeId), entity, snapshot.ToByteArray())
            .SetAdd(CommitteeIndex, committeeId);
    }

    // ---- rebuilding --------------------------------------------------------------------------------

    /// <summary>
    /// Forgets everything projected for a committee, including the inbox marks of the events that
    /// built it, so delivering its membership events again (e.g. the streams read from the start)
    /// rebuilds it.
    /// </summary>
    public async Task DropAsync(string committeeId)
    {
        var result = await store.Database.ScriptEvaluateAsync(DropScript, values:
        [
            EntitiesKey(committeeId), GuardKey(committeeId, string.Empty), EventsKey(committeeId),
            store.Keys.Inbox(string.Empty), CommitteeIndex, committeeId,
        ]);
        LogDropped(logger, committeeId, (long)result);
    }

    /// <summary>Drops the projection of every committee (see <see cref="DropAsync"/>).</summary>
    public async Task DropAllAsync()
    {
        foreach (var committeeId in await store.Database.SetMembersAsync(CommitteeIndex))
        {
            await DropAsync(committeeId!);
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    private static CommitteeView? ToView(HashEntry[] entries)
    {
        Committee? committee = null;
        var agencies = new Dictionary<string, AgencyView>(StringComparer.Ordinal);
        var seats = new List<Seat>();
        var delegations = new List<Delegation>();
        var groups = new List<WorkingGroup>();
        foreach (var entry in entries)
        {
            var field = (string)entry.Name!;
            var bytes = (byte[])entry.Value!;
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            switch (colon < 0 ? field : field[..colon])
            {
                case CommitteeEntity:
                    committee = Committee.Parser.ParseFrom(bytes);
                    break;
                case AgencyKind:
                    var agency = Agency.Parser.ParseFrom(bytes);
                    agencies[agency.AgencyId] = new AgencyView(agency.AgencyId, agency.Name);
                    break;
                case SeatKind:
                    seats.Add(Seat.Parser.ParseFrom(bytes));
                    break;
                case DelegationKind:
                    delegations.Add(Delegation.Parser.ParseFrom(bytes));
                    break;
                case GroupKind:
                    groups.Add(WorkingGroup.Parser.ParseFrom(bytes));
                    break;
            }
        }

        if (committee is null)
        {
            return null;
        }

        // Hash order is arbitrary: a fixed order keeps the view (and "first seat with this role") the same across rebuilds.
        return new CommitteeView(
            committee.CommitteeId,
            committee.Name,
            committee.StandingAgencyId,
            agencies,
            seats.OrderBy(s => s.Role).ThenBy(s => s.SeatId, StringComparer.Ordinal).Select(ToView).ToList(),
            delegations.OrderBy(d => d.ValidFrom.ToDateTimeOffset()).ThenBy(d => d.DelegationId, StringComparer.Ordinal).Select(ToView).ToList(),
            groups.OrderBy(g => g.Code, StringComparer.Ordinal).ThenBy(g => g.GroupId, StringComparer.Ordinal).Select(ToView).ToList());
    }

    private static SeatView ToView(Seat seat) => new(
        seat.SeatId,
        seat.Title,
        seat.Role,
        seat.AgencyId,
        // As membership's SeatExistsOn: without a creation day the seat dates from its first tenure; with neither it never exists.
        (seat.CreatedOn ?? seat.Tenures.FirstOrDefault()?.From)?.ToDateOnly() ?? DateOnly.MaxValue,
        seat.RemovedOn?.ToDateOnly(),
        seat.Tenures.Select(ToView).ToList());

    /// <summary>
    /// Membership's Until is the first day no longer held (TenureOn: From ≤ day &lt; Until);
    /// <see cref="TenureView.Until"/> is the last day held, one day earlier.
    /// </summary>
    private static TenureView ToView(Tenure tenure) => new(
        tenure.Person.PersonId, tenure.Person.FullName, tenure.From.ToDateOnly(), tenure.Until?.ToDateOnly().AddDays(-1));

    private static DelegationView ToView(Delegation d) => new(
        d.DelegationId,
        d.DelegatorPersonId,
        d.DelegatePersonId,
        d.DelegateSeatId,
        new SortedSet<DelegationScope>(d.Scopes),
        d.ValidFrom.ToDateTimeOffset(),
        d.ValidUntil.ToDateTimeOffset(),
        d.RevokedAt?.ToDateTimeOffset());

    private static GroupView ToView(WorkingGroup g) => new(
        g.GroupId, g.Code, g.Name, g.Kind, g.LeadAgencyId,
        g.Members.Select(m => new GroupMemberView(m.Person.PersonId, m.Person.FullName, m.AgencyId, m.Role)).ToList());

    // ---- keys and checks ---------------------------------------------------------------------------

    private string EntitiesKey(string committeeId) => $"{store.Keys.Prefix}membership:{committeeId}:entities";

    private string GuardKey(string committeeId, string entity) => $"{store.Keys.Prefix}membership:{committeeId}:seq:{entity}";

    private string EventsKey(string committeeId) => $"{store.Keys.Prefix}membership:{committeeId}:events";

    private static string Entity(string kind, string id) =>
        string.IsNullOrEmpty(id) ? throw new MalformedEventException($"The {kind} in the event has no id.") : $"{kind}:{id}";

    // An event that lacks its snapshot can never be applied: malformed, so it is dead-lettered at once.
    private static T Required<T>(T? snapshot, string name) where T : class =>
        snapshot ?? throw new MalformedEventException($"The event carries no {name}.");

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Dropping {EventType} {EventId} for {Entity} of {CommitteeId}: sequence {Sequence} is not newer than the applied {AppliedSequence}")]
    private static partial void LogStale(ILogger logger, string eventType, string eventId, string entity, string committeeId, string sequence, string appliedSequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{EventType} {EventId} for {Entity} of {CommitteeId} has no sequence; applied without ordering")]
    private static partial void LogUnordered(ILogger logger, string eventType, string eventId, string entity, string committeeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped the membership projection of {CommitteeId} ({Entities} entities); replay its events to rebuild it")]
    private static partial void LogDropped(ILogger logger, string committeeId, long entities);
}
