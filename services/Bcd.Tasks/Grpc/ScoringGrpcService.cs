using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain;
using Bcd.Tasks.Domain.Scoring;
using Bcd.Tasks.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Bcd.Tasks.Grpc;

/// <summary>
/// bcd.tasks.v1.ScoringService (T6, T7). A round snapshots what the indicators read — task facts,
/// working-group report facts, inspection findings, manual scores, the criteria version — stores the
/// snapshot and its SHA-256 with the result in one commit, and never recomputes a stored round in
/// place: VerifyRound recomputes from the snapshot and compares bytes; a correction is a new round.
/// </summary>
[Authorize]
public sealed class ScoringGrpcService(
    ScoringRepository scoring,
    TasksRepository tasks,
    IMembershipView membership,
    TimeProvider time) : ScoringService.ScoringServiceBase
{
    private RedisStore Store => scoring.Store;

    // ---- criteria (T6) --------------------------------------------------------------------------------

    public override Task<PublishCriteriaVersionResponse> PublishCriteriaVersion(PublishCriteriaVersionRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, PublishCriteriaVersionResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var capacity = view.RequireStandingAgency(caller, "T6");
            CriteriaRules.CheckOrThrow(request);

            var (version, counterVersion) = await scoring.NextCriteriaVersionAsync(request.CommitteeId);
            var criteria = new CriteriaVersion
            {
                CommitteeId = request.CommitteeId,
                Version = version,
                Name = request.Name,
                Decision = request.Decision,
                PublishedAt = time.NowTimestamp(),
                PublishedBy = caller.ToActor(capacity),
            };
            criteria.Criteria.AddRange(request.Criteria);
            scoring.AddCriteria(changes, criteria, counterVersion);
            changes.Publish(new CriteriaVersionPublished { Criteria = criteria, OccurredAt = criteria.PublishedAt, Actor = criteria.PublishedBy },
                request.CommitteeId);
            return new PublishCriteriaVersionResponse { Criteria = criteria };
        });
    }

    public override async Task<GetCriteriaVersionResponse> GetCriteriaVersion(GetCriteriaVersionRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        return new GetCriteriaVersionResponse { Criteria = await scoring.LoadCriteriaAsync(request.CommitteeId, request.Version) };
    }

    public override async Task<ListCriteriaVersionsResponse> ListCriteriaVersions(ListCriteriaVersionsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var response = new ListCriteriaVersionsResponse();
        response.Versions.AddRange(await scoring.LoadAllCriteriaAsync(request.CommitteeId));
        return response;
    }

    // ---- rounds (T6) ----------------------------------------------------------------------------------

    public override Task<ComputeRoundResponse> ComputeRound(ComputeRoundRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ComputeRoundResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var capacity = view.RequireStandingAgency(caller, "T6");
            var agencies = RoundAgencies(request, view);
            if (request.CorrectsRoundId.Length > 0)
            {
                await RequireCorrectableAsync(request);
            }

            var criteria = await scoring.LoadCriteriaAsync(request.CommitteeId, request.CriteriaVersion);
            var inputs = ScoringInputsBuilder.Build(request.CommitteeId, request.Period, criteria, agencies,
                await tasks.LoadFactsAsync(request.CommitteeId),
                await tasks.LoadReportFactsAsync(request.CommitteeId),
                await scoring.LoadFindingsAsync(request.CommitteeId),
                request.ManualScores,
                time.Today());
            var result = ScoringEngine.Compute(inputs);
            var now = time.GetUtcNow();
            var round = new ScoringRound
            {
                RoundId = Ids.New("rnd", now),
                CommitteeId = request.CommitteeId,
                Period = request.Period,
                CriteriaVersion = criteria.Version,
                Status = RoundStatus.Draft,
                CorrectsRoundId = request.CorrectsRoundId,
                CorrectionReason = request.CorrectionReason,
                InputsSha256 = ScoringHash.Sha256Hex(inputs),
                ResultSha256 = ScoringHash.Sha256Hex(result),
                TaskCount = inputs.Tasks.Count,
                Result = result,
                ComputedAt = Timestamp.FromDateTimeOffset(now),
                ComputedBy = caller.ToActor(capacity),
            };
            round.AgencyIds.AddRange(inputs.Agencies.Select(a => a.AgencyId));
            round.ManualScores.AddRange(inputs.ManualScores);
            Record(round, "ROUND_COMPUTED",
                $"Tính điểm {round.Period.Label} theo bộ tiêu chí phiên bản {criteria.Version}: {round.AgencyIds.Count} cơ quan, {round.TaskCount} nhiệm vụ.",
                round.ComputedBy, now, request.RequestId);
            scoring.AddRound(changes, round, inputs);
            return new ComputeRoundResponse { Round = round };
        });
    }

    public override async Task<GetRoundResponse> GetRound(GetRoundRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await scoring.LoadRoundAsync(request.CommitteeId, request.RoundId);
        return new GetRoundResponse { Round = await WithCorrectionAsync(loaded.State) };
    }

    public override async Task<ListRoundsResponse> ListRounds(ListRoundsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var rounds = await scoring.LoadRoundsAsync(request.CommitteeId);
        var page = Paging.Page(rounds, request.PageSize, request.PageToken, 50);
        var response = new ListRoundsResponse { NextPageToken = page.NextToken };
        foreach (var round in page.Items)
        {
            var summary = await WithCorrectionAsync(round);
            summary.Result = null;
            response.Rounds.Add(summary);
        }

        return response;
    }

    /// <summary>T6 reproducibility: the stored snapshot, computed again, gives the stored result byte for byte.</summary>
    public override async Task<VerifyRoundResponse> VerifyRound(VerifyRoundRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var round = (await scoring.LoadRoundAsync(request.CommitteeId, request.RoundId)).State;
        var inputs = await scoring.LoadRoundInputsAsync(request.CommitteeId, request.RoundId);
        var response = new VerifyRoundResponse
        {
            StoredInputsSha256 = round.InputsSha256,
            RecomputedInputsSha256 = ScoringHash.Sha256Hex(inputs),
            StoredResultSha256 = round.ResultSha256,
            RecomputedResultSha256 = ScoringHash.Sha256Hex(ScoringEngine.Compute(inputs)),
        };
        response.Identical = response.StoredInputsSha256 == response.RecomputedInputsSha256 &&
            response.StoredResultSha256 == response.RecomputedResultSha256 &&
            ScoringHash.Sha256Hex(round.Result) == round.ResultSha256;
        return response;
    }

    /// <summary>T6: publishing freezes the round (no RPC changes a published round) and announces its ranking.</summary>
    public override Task<PublishRoundResponse> PublishRound(PublishRoundRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, PublishRoundResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var capacity = view.RequireStandingAgency(caller, "T6");
            var loaded = await scoring.LoadRoundAsync(request.CommitteeId, request.RoundId);
            var round = loaded.State.Clone();
            if (round.Status == RoundStatus.Published)
            {
                throw new RuleViolationException("T6", "ROUND_PUBLISHED",
                    "This round is already published; it cannot change. Compute a correction round instead.",
                    "Kỳ chấm điểm này đã công bố, không thể thay đổi. Hãy tính một kỳ đính chính.");
            }

            if (round.CorrectsRoundId.Length > 0)
            {
                var original = await scoring.LoadRoundAsync(request.CommitteeId, round.CorrectsRoundId);
                var existing = await scoring.CorrectionOfAsync(request.CommitteeId, round.CorrectsRoundId);
                if (existing is not null)
                {
                    throw new RuleViolationException("T6", "ROUND_ALREADY_CORRECTED",
                        $"Round {round.CorrectsRoundId} was already corrected by round {existing}; correct that one instead.",
                        $"Kỳ {round.CorrectsRoundId} đã được đính chính bởi kỳ {existing}; hãy đính chính kỳ đó.");
                }

                // The original stays as published; the link lives beside it, so it is never rewritten.
                changes.Require(scoring.RoundKeyOf(original.State), original.Version);
                scoring.RecordCorrection(changes, request.CommitteeId, round.CorrectsRoundId, round.RoundId);
            }

            var now = time.GetUtcNow();
            round.Status = RoundStatus.Published;
            round.PublishedAt = Timestamp.FromDateTimeOffset(now);
            round.PublishedBy = caller.ToActor(capacity);
            Record(round, "ROUND_PUBLISHED", $"Công bố kết quả chấm điểm {round.Period.Label}.", round.PublishedBy, now, request.RequestId);
            scoring.SaveRound(changes, round, loaded.Version);
            changes.Publish(new ScoringRoundPublished { Round = round, OccurredAt = round.PublishedAt, Actor = round.PublishedBy }, request.CommitteeId);
            return new PublishRoundResponse { Round = round };
        });
    }

    // ---- proposals (T7) -------------------------------------------------------------------------------

    public override Task<ProposeRecognitionResponse> ProposeRecognition(ProposeRecognitionRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ProposeRecognitionResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var capacity = view.RequireStandingAgency(caller, "T7");
            var round = (await scoring.LoadRoundAsync(request.CommitteeId, request.RoundId)).State;
            var correction = await scoring.CorrectionOfAsync(request.CommitteeId, round.RoundId);
            var score = await EvidenceAsync(request, round, correction);
            var now = time.GetUtcNow();
            var proposal = new Proposal
            {
                ProposalId = Ids.New("prp", now),
                CommitteeId = request.CommitteeId,
                Kind = request.Kind,
                AgencyId = request.AgencyId,
                Rationale = request.Rationale,
                RoundId = round.RoundId,
                TotalCenti = score.TotalCenti,
                Rank = score.Rank,
                Status = ProposalStatus.Pending,
                ProposedAt = Timestamp.FromDateTimeOffset(now),
                ProposedBy = caller.ToActor(capacity),
            };
            proposal.TaskIds.AddRange(request.TaskIds);
            proposal.RecommendationIds.AddRange(request.RecommendationIds);
            proposal.Documents.AddRange(request.Documents);
            Record(proposal, "PROPOSAL_SUBMITTED",
                $"Đề nghị {(request.Kind == ProposalKind.Commendation ? "khen thưởng" : "xem xét trách nhiệm")} {score.AgencyName}: {score.TotalCenti / 100m:0.00} điểm, hạng {score.Rank}.",
                proposal.ProposedBy, now, request.RequestId);
            scoring.RequireUncorrected(changes, request.CommitteeId, round.RoundId);
            scoring.AddProposal(changes, proposal);
            return new ProposeRecognitionResponse { Proposal = proposal };
        });
    }

    /// <summary>T7: the Head decides, citing the decision document; the decision is an event.</summary>
    public override Task<DecideProposalResponse> DecideProposal(DecideProposalRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, DecideProposalResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var capacity = view.RequireHead(caller, now, "T7");
            var loaded = await scoring.LoadProposalAsync(request.CommitteeId, request.ProposalId);
            var proposal = loaded.State.Clone();
            if (proposal.Status != ProposalStatus.Pending)
            {
                throw new RuleViolationException("T7", "PROPOSAL_DECIDED", "This proposal was already decided.", "Đề nghị này đã được quyết định.");
            }

            proposal.Status = request.Approve ? ProposalStatus.Approved : ProposalStatus.Rejected;
            proposal.DecidedAt = Timestamp.FromDateTimeOffset(now);
            proposal.DecidedBy = caller.ToActor(capacity);
            proposal.Decision = request.Decision.Clone();
            if (proposal.Decision.Signer.Length == 0)
            {
                // X1: the decision records who signed it; the Head deciding here is the signer.
                proposal.Decision.Signer = caller.DisplayName;
            }

            proposal.DecisionNote = request.Note;
            Record(proposal, request.Approve ? "PROPOSAL_APPROVED" : "PROPOSAL_REJECTED",
                $"{(request.Approve ? "Đồng ý" : "Không đồng ý")} theo quyết định số {request.Decision.Number}.", proposal.DecidedBy, now, request.RequestId);
            scoring.SaveProposal(changes, proposal, loaded.Version);
            changes.Publish(new ProposalDecided { Proposal = proposal, OccurredAt = proposal.DecidedAt, Actor = proposal.DecidedBy }, request.CommitteeId);
            return new DecideProposalResponse { Proposal = proposal };
        });
    }

    public override async Task<GetProposalResponse> GetProposal(GetProposalRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        return new GetProposalResponse { Proposal = (await scoring.LoadProposalAsync(request.CommitteeId, request.ProposalId)).State };
    }

    public override async Task<ListProposalsResponse> ListProposals(ListProposalsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var proposals = (await scoring.LoadProposalsAsync(request.CommitteeId))
            .Where(p => request.Status == ProposalStatus.Unspecified || p.Status == request.Status)
            .ToList();
        var page = Paging.Page(proposals, request.PageSize, request.PageToken, 50);
        var response = new ListProposalsResponse { NextPageToken = page.NextToken };
        response.Proposals.AddRange(page.Items);
        return response;
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>The agencies of a round: those asked for (each must be registered), else every agency of the committee.</summary>
    private static List<AgencyFact> RoundAgencies(ComputeRoundRequest request, CommitteeView view)
    {
        if (request.AgencyIds.Count == 0)
        {
            return view.Agencies.Values.Select(a => new AgencyFact { AgencyId = a.AgencyId, Name = a.Name }).ToList();
        }

        var violations = new List<FieldViolation>();
        var agencies = new List<AgencyFact>();
        for (var i = 0; i < request.AgencyIds.Count; i++)
        {
            if (view.Agencies.TryGetValue(request.AgencyIds[i], out var agency))
            {
                agencies.Add(new AgencyFact { AgencyId = agency.AgencyId, Name = agency.Name });
            }
            else
            {
                violations.Add(new FieldViolation($"agency_ids[{i}]", $"Agency '{request.AgencyIds[i]}' is not registered in this committee.",
                    $"Cơ quan '{request.AgencyIds[i]}' chưa được đăng ký trong Ban Chỉ đạo."));
            }
        }

        return violations.Count > 0 ? throw new InvalidArgumentException(violations) : agencies;
    }

    /// <summary>A correction cites a published round, with a reason.</summary>
    private async Task RequireCorrectableAsync(ComputeRoundRequest request)
    {
        if (request.CorrectionReason.Length == 0)
        {
            throw new InvalidArgumentException("correction_reason", "A correction must say why.", "Kỳ đính chính phải nêu lý do.");
        }

        var original = await scoring.LoadRoundAsync(request.CommitteeId, request.CorrectsRoundId);
        if (original.State.Status != RoundStatus.Published)
        {
            throw new RuleViolationException("T6", "ROUND_NOT_PUBLISHED",
                "Only a published round is corrected; a draft is simply computed again.",
                "Chỉ kỳ đã công bố mới cần đính chính; kỳ nháp thì tính lại.");
        }
    }

    /// <summary>T7: the evidence must be real — a published, uncorrected round with the agency in it; tasks and findings of that agency.</summary>
    private async Task<AgencyScore> EvidenceAsync(ProposeRecognitionRequest request, ScoringRound round, string? correction)
    {
        if (round.Status != RoundStatus.Published)
        {
            throw new RuleViolationException("T7", "ROUND_NOT_PUBLISHED", "A proposal cites a published scoring round.",
                "Đề nghị phải căn cứ kết quả chấm điểm đã công bố.");
        }

        if (correction is not null)
        {
            throw new RuleViolationException("T7", "ROUND_CORRECTED", $"Round {round.RoundId} was corrected by round {correction}; cite the correction.",
                $"Kỳ {round.RoundId} đã được đính chính bởi kỳ {correction}; hãy căn cứ kỳ đính chính.",
                new Dictionary<string, string> { ["correctedBy"] = correction });
        }

        var score = round.Result.Scores.FirstOrDefault(s => s.AgencyId == request.AgencyId)
            ?? throw new InvalidArgumentException("agency_id", $"Agency '{request.AgencyId}' was not scored in round {round.RoundId}.",
                $"Cơ quan '{request.AgencyId}' không được chấm điểm trong kỳ {round.RoundId}.");

        var violations = new List<FieldViolation>();
        var cited = (await tasks.LoadByIdsAsync(request.TaskIds)).ToDictionary(t => t.TaskId);
        for (var i = 0; i < request.TaskIds.Count; i++)
        {
            var ok = cited.TryGetValue(request.TaskIds[i], out var task) && task.CommitteeId == request.CommitteeId &&
                (task.Directive.LeadAgencyId == request.AgencyId || task.Directive.CoordinatingAgencyIds.Contains(request.AgencyId));
            if (!ok)
            {
                violations.Add(new FieldViolation($"task_ids[{i}]", $"Task '{request.TaskIds[i]}' is not a task of agency '{request.AgencyId}'.",
                    $"Nhiệm vụ '{request.TaskIds[i]}' không phải nhiệm vụ của cơ quan '{request.AgencyId}'."));
            }
        }

        var findings = (await scoring.LoadFindingsAsync(request.CommitteeId)).ToDictionary(f => f.RecommendationId);
        for (var i = 0; i < request.RecommendationIds.Count; i++)
        {
            if (!findings.TryGetValue(request.RecommendationIds[i], out var finding) || finding.AgencyId != request.AgencyId)
            {
                violations.Add(new FieldViolation($"recommendation_ids[{i}]",
                    $"Recommendation '{request.RecommendationIds[i]}' was not issued to agency '{request.AgencyId}'.",
                    $"Kiến nghị '{request.RecommendationIds[i]}' không gửi cơ quan '{request.AgencyId}'."));
            }
        }

        return violations.Count > 0 ? throw new InvalidArgumentException(violations) : score;
    }

    private async Task<ScoringRound> WithCorrectionAsync(ScoringRound round)
    {
        var copy = round.Clone();
        copy.CorrectedByRoundId = await scoring.CorrectionOfAsync(round.CommitteeId, round.RoundId) ?? string.Empty;
        return copy;
    }

    private static void Record(ScoringRound round, string action, string summary, Actor actor, DateTimeOffset now, string requestId) =>
        round.History.Add(History.Entry(action, summary, actor, now, requestId));

    private static void Record(Proposal proposal, string action, string summary, Actor actor, DateTimeOffset now, string requestId) =>
        proposal.History.Add(History.Entry(action, summary, actor, now, requestId));

    private Task<CommitteeView> CommitteeAsync(string committeeId, ServerCallContext context) =>
        membership.RequireCommitteeAsync(context.Caller(), committeeId, context.CancellationToken);
}
