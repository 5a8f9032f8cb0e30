using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Google.Protobuf;

namespace Bcd.Membership.Storage;

/// <summary>Where the membership aggregates live in the service's Redis key space.</summary>
public sealed class MembershipRepository(RedisStore store, TimeProvider time)
{
    public RedisStore Store => store;

    public string CommitteeKey(string committeeId) => store.Keys.Aggregate("committee", committeeId);

    public string ProvinceKey(string province) => store.Keys.Aggregate("province", province.Trim().ToLowerInvariant());

    public string AgencyKey(string committeeId, string agencyId) => store.Keys.Aggregate("agency", $"{committeeId}:{agencyId}");

    public string AgencyIndex(string committeeId) => store.Keys.Index("agencies:" + committeeId);

    public string CommitteeIndex => store.Keys.Index("committees");

    public string ChangeKey(string committeeId, string changeId) => store.Keys.Aggregate("change", $"{committeeId}:{changeId}");

    public string ChangeIndex(string committeeId) => store.Keys.Index("changes:" + committeeId);

    public async Task<(CommitteeAggregate Aggregate, long Version)> LoadCommitteeAsync(string committeeId)
    {
        var loaded = await store.LoadRequiredAsync(CommitteeKey(committeeId), CommitteeState.Parser, "committee", committeeId);
        return (new CommitteeAggregate(loaded.State), loaded.Version);
    }

    public async Task<IReadOnlyDictionary<string, Agency>> LoadAgenciesAsync(string committeeId)
    {
        var ids = await store.Database.SetMembersAsync(AgencyIndex(committeeId));
        var agencies = await store.LoadManyAsync(ids.Select(id => AgencyKey(committeeId, id!)), Agency.Parser);
        return agencies.ToDictionary(a => a.AgencyId, StringComparer.Ordinal);
    }

    public void AddAgency(ChangeSet changes, Agency agency)
    {
        changes.Create(AgencyKey(agency.CommitteeId, agency.AgencyId), agency, () => new AlreadyExistsException("agency", agency.AgencyId))
            .SetAdd(AgencyIndex(agency.CommitteeId), agency.AgencyId);
    }

    public ChangeSet SaveCommittee(ChangeSet changes, CommitteeAggregate committee, long expectedVersion)
    {
        committee.State.Committee.Version = expectedVersion + 1;
        return changes.Save(CommitteeKey(committee.Id), expectedVersion, committee.State);
    }

    /// <summary>X1: who, in which capacity, when, on which document.</summary>
    public ChangeSet History(ChangeSet changes, string committeeId, ActingCapacity capacity, Caller caller, string action, string summary,
        Decision? decision = null, string requestId = "")
    {
        var entry = Bcd.ServiceDefaults.Storage.History.Entry(action, summary, caller.ToActor(capacity), time.GetUtcNow(), requestId);
        if (decision is not null)
        {
            entry.Decision = decision;
        }

        return changes.History(CommitteeKey(committeeId), entry);
    }

    /// <summary>Writes a founded committee: the seed uses the same path.</summary>
    public void WriteFounding(ChangeSet changes, FoundedCommittee founded, Caller caller, ActingCapacity capacity, string requestId)
    {
        var committee = founded.Committee;
        var actor = caller.ToActor(capacity);
        var now = time.NowTimestamp();
        var info = committee.State.Committee;
        info.Version = 1;
        changes.Create(CommitteeKey(info.CommitteeId), committee.State, () => new AlreadyExistsException("committee", info.CommitteeId))
            .Create(ProvinceKey(info.Province), info, () => new RuleViolationException("M1", "ONE_COMMITTEE_PER_PROVINCE",
                $"{info.Province} already has a Steering Committee.", $"Tỉnh {info.Province} đã có Ban Chỉ đạo."))
            .SetAdd(CommitteeIndex, info.CommitteeId);
        History(changes, info.CommitteeId, capacity, caller, "COMMITTEE_CREATED", $"Thành lập {info.Name}",
            info.FoundingDecision, requestId);
        var created = new CommitteeCreated
        {
            CommitteeId = info.CommitteeId,
            Province = info.Province,
            Name = info.Name,
            StandingAgencyId = info.StandingAgencyId,
            ProvincialGovernmentAgencyId = info.ProvincialGovernmentAgencyId,
            FoundingDecision = info.FoundingDecision,
            OccurredAt = now,
            Actor = actor,
        };
        created.Seats.AddRange(committee.State.Seats);
        changes.Publish(created, info.CommitteeId);
        foreach (var agency in founded.Agencies)
        {
            AddAgency(changes, agency);
            changes.Publish(new AgencyRegistered { CommitteeId = info.CommitteeId, Agency = agency, OccurredAt = now, Actor = actor }, info.CommitteeId);
        }

        foreach (var seat in committee.State.Seats.Where(s => s.Tenures.Count > 0))
        {
            var tenure = seat.Tenures[0];
            changes.Publish(new MemberAppointed
            {
                CommitteeId = info.CommitteeId,
                Seat = seat,
                Person = tenure.Person,
                EffectiveDate = tenure.From,
                Decision = tenure.AppointedBy,
                OccurredAt = now,
                Actor = actor,
            }, info.CommitteeId);
        }

        foreach (var group in committee.State.Groups)
        {
            changes.Publish(new WorkingGroupFormed { CommitteeId = info.CommitteeId, Group = group, OccurredAt = now, Actor = actor }, info.CommitteeId);
        }
    }

}
