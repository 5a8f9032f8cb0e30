using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Tasks.Storage;

/// <summary>
/// Criteria versions, scoring rounds with their input snapshots, proposals (T6, T7), and the
/// inspection findings scoring counts (I6). A round's snapshot is written once, next to the round,
/// in the commit that creates the round; nothing ever rewrites it.
/// </summary>
public sealed class ScoringRepository(RedisStore store)
{
    public RedisStore Store => store;

    private string CriteriaKey(string committeeId, int version) => store.Keys.Aggregate("criteria", $"{committeeId}:{version}");

    private string CriteriaCounterKey(string committeeId) => store.Keys.Aggregate("criteria-seq", committeeId);

    private string CriteriaIndex(string committeeId) => store.Keys.Index("criteria:" + committeeId);

    private string RoundKey(string committeeId, string roundId) => store.Keys.Aggregate("round", $"{committeeId}:{roundId}");

    private string RoundInputsKey(string committeeId, string roundId) => store.Keys.Aggregate("round-inputs", $"{committeeId}:{roundId}");

    private string RoundIndex(string committeeId) => store.Keys.Index("rounds:" + committeeId);

    private string ProposalKey(string committeeId, string proposalId) => store.Keys.Aggregate("proposal", $"{committeeId}:{proposalId}");

    private string ProposalIndex(string committeeId) => store.Keys.Index("proposals:" + committeeId);

    private string FindingsKey(string committeeId) => store.Keys.Index("findings:" + committeeId);

    // ---- criteria -------------------------------------------------------------------------------------

    public async Task<(int Next, long CounterVersion)> NextCriteriaVersionAsync(string committeeId)
    {
        var counter = await store.LoadAsync(CriteriaCounterKey(committeeId), Int64Value.Parser);
        return counter is null ? (1, 0) : ((int)counter.State.Value + 1, counter.Version);
    }

    /// <summary>A new version; two publications racing for one number conflict on the counter (ABORTED).</summary>
    public ChangeSet AddCriteria(ChangeSet changes, CriteriaVersion criteria, long counterVersion)
    {
        var counterKey = CriteriaCounterKey(criteria.CommitteeId);
        var counter = new Int64Value { Value = criteria.Version };
        if (counterVersion == 0)
        {
            changes.Create(counterKey, counter, () => new ConcurrencyConflictException(counterKey));
        }
        else
        {
            changes.Save(counterKey, counterVersion, counter);
        }

        return changes
            .Create(CriteriaKey(criteria.CommitteeId, criteria.Version), criteria,
                () => new AlreadyExistsException("criteria version", criteria.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .SortedSetAdd(CriteriaIndex(criteria.CommitteeId), criteria.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), criteria.Version);
    }

    public async Task<CriteriaVersion> LoadCriteriaAsync(string committeeId, int version)
    {
        if (version == 0)
        {
            var latest = await store.LoadAsync(CriteriaCounterKey(committeeId), Int64Value.Parser)
                ?? throw new NotFoundException("criteria version", "latest");
            version = (int)latest.State.Value;
        }

        var loaded = await store.LoadRequiredAsync(CriteriaKey(committeeId, version), CriteriaVersion.Parser, "criteria version",
            version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return loaded.State;
    }

    public async Task<IReadOnlyList<CriteriaVersion>> LoadAllCriteriaAsync(string committeeId)
    {
        var versions = await store.Database.SortedSetRangeByRankAsync(CriteriaIndex(committeeId));
        return await store.LoadManyAsync(versions.Select(v => CriteriaKey(committeeId, (int)v)), CriteriaVersion.Parser);
    }

    // ---- rounds ---------------------------------------------------------------------------------------

    public ChangeSet AddRound(ChangeSet changes, ScoringRound round, ScoringInputs inputs)
    {
        round.Version = 1;
        return changes
            .Create(RoundKey(round.CommitteeId, round.RoundId), round, () => new AlreadyExistsException("scoring round", round.RoundId))
            .StringSet(RoundInputsKey(round.CommitteeId, round.RoundId), inputs.ToByteArray())
            .SortedSetAdd(RoundIndex(round.CommitteeId), round.RoundId, round.ComputedAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
    }

    public ChangeSet SaveRound(ChangeSet changes, ScoringRound round, long expectedVersion)
    {
        round.Version = expectedVersion + 1;
        return changes.Save(RoundKey(round.CommitteeId, round.RoundId), expectedVersion, round);
    }

    public string RoundKeyOf(ScoringRound round) => RoundKey(round.CommitteeId, round.RoundId);

    private string CorrectionKey(string committeeId, string roundId) => store.Keys.Aggregate("round-correction", $"{committeeId}:{roundId}");

    /// <summary>
    /// Links a published round to the published round that corrects it, in a key of its own beside it
    /// (the original is never rewritten). Created, never overwritten: of two corrections published at
    /// once, the second fails the commit with ROUND_ALREADY_CORRECTED.
    /// </summary>
    public ChangeSet RecordCorrection(ChangeSet changes, string committeeId, string correctedRoundId, string correctionRoundId) =>
        changes.Create(CorrectionKey(committeeId, correctedRoundId), new StringValue { Value = correctionRoundId },
            () => new RuleViolationException("T6", "ROUND_ALREADY_CORRECTED",
                $"Round {correctedRoundId} was already corrected; correct the correction instead.",
                $"Kỳ {correctedRoundId} đã được đính chính; hãy đính chính kỳ đính chính."));

    /// <summary>Fails the commit (ABORTED, the client retries and sees it) if a correction of the round is published meanwhile.</summary>
    public ChangeSet RequireUncorrected(ChangeSet changes, string committeeId, string roundId) =>
        changes.Require(CorrectionKey(committeeId, roundId), 0);

    public async Task<string?> CorrectionOfAsync(string committeeId, string roundId) =>
        (await store.LoadAsync(CorrectionKey(committeeId, roundId), StringValue.Parser))?.State.Value;

    public Task<Versioned<ScoringRound>> LoadRoundAsync(string committeeId, string roundId) =>
        store.LoadRequiredAsync(RoundKey(committeeId, roundId), ScoringRound.Parser, "scoring round", roundId);

    public async Task<ScoringInputs> LoadRoundInputsAsync(string committeeId, string roundId)
    {
        var bytes = await store.Database.StringGetAsync(RoundInputsKey(committeeId, roundId));
        return bytes.IsNull ? throw new NotFoundException("scoring round inputs", roundId) : ScoringInputs.Parser.ParseFrom((byte[])bytes!);
    }

    /// <summary>Rounds of a committee, newest first.</summary>
    public async Task<IReadOnlyList<ScoringRound>> LoadRoundsAsync(string committeeId)
    {
        var ids = await store.Database.SortedSetRangeByRankAsync(RoundIndex(committeeId), order: StackExchange.Redis.Order.Descending);
        return await store.LoadManyAsync(ids.Select(id => RoundKey(committeeId, id!)), ScoringRound.Parser);
    }

    // ---- proposals ------------------------------------------------------------------------------------

    public ChangeSet AddProposal(ChangeSet changes, Proposal proposal)
    {
        proposal.Version = 1;
        return changes
            .Create(ProposalKey(proposal.CommitteeId, proposal.ProposalId), proposal, () => new AlreadyExistsException("proposal", proposal.ProposalId))
            .SortedSetAdd(ProposalIndex(proposal.CommitteeId), proposal.ProposalId, proposal.ProposedAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
    }

    public ChangeSet SaveProposal(ChangeSet changes, Proposal proposal, long expectedVersion)
    {
        proposal.Version = expectedVersion + 1;
        return changes.Save(ProposalKey(proposal.CommitteeId, proposal.ProposalId), expectedVersion, proposal);
    }

    public Task<Versioned<Proposal>> LoadProposalAsync(string committeeId, string proposalId) =>
        store.LoadRequiredAsync(ProposalKey(committeeId, proposalId), Proposal.Parser, "proposal", proposalId);

    public async Task<IReadOnlyList<Proposal>> LoadProposalsAsync(string committeeId)
    {
        var ids = await store.Database.SortedSetRangeByRankAsync(ProposalIndex(committeeId), order: StackExchange.Redis.Order.Descending);
        return await store.LoadManyAsync(ids.Select(id => ProposalKey(committeeId, id!)), Proposal.Parser);
    }

    // ---- inspection findings (I6) ---------------------------------------------------------------------

    public ChangeSet RecordFinding(ChangeSet changes, RecommendationIssued evt) =>
        changes.HashSet(FindingsKey(evt.CommitteeId), evt.RecommendationId, new FindingFact
        {
            RecommendationId = evt.RecommendationId,
            AgencyId = evt.AgencyId,
            IssuedDay = ProvinceTime.DateOf(evt.OccurredAt.ToDateTimeOffset()).DayNumber,
        }.ToByteArray());

    public async Task<IReadOnlyList<FindingFact>> LoadFindingsAsync(string committeeId)
    {
        var values = await store.Database.HashValuesAsync(FindingsKey(committeeId));
        return values.Select(v => FindingFact.Parser.ParseFrom((byte[])v!)).ToList();
    }
}
