using System.Text.Json;
using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static Bcd.Projections.Membership.Tests.MembershipHistory;
using static Bcd.Tasks.Tests.Functional.TasksHost;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>
/// ScoringService over real gRPC against a real Redis: T6 (versioned criteria, reproducible rounds,
/// published rounds frozen, corrections), I6 (inspection findings count in scoring) and T7 (proposals
/// cite a published round and are decided by the Head).
/// </summary>
[Collection(TasksRedisCollection.Name)]
public sealed class ScoringServiceTests(RedisFixture redis)
{
    // ---- criteria versions (T6) -----------------------------------------------------------------------

    [Fact]
    public async Task T6_OnlyTheStandingAgencyPublishesCriteria()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var request = ScoringSteps.CriteriaRequest(ScoringSteps.StandardCriteria());

        var byHead = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishCriteriaVersionAsync(request, As(HeadToken)).ResponseAsync);
        var byMember = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishCriteriaVersionAsync(
            ScoringSteps.CriteriaRequest(ScoringSteps.StandardCriteria()), As(KhcnToken)).ResponseAsync);
        var published = (await host.Scoring.PublishCriteriaVersionAsync(
            ScoringSteps.CriteriaRequest(ScoringSteps.StandardCriteria()), As(StandingAgencyToken))).Criteria;

        Assert.Equal(StatusCode.PermissionDenied, byHead.StatusCode);
        Assert.Equal("NOT_STANDING_AGENCY", ScoringSteps.Reason(byHead));
        Assert.Equal(StatusCode.PermissionDenied, byMember.StatusCode);
        Assert.Equal(1, published.Version);
        Assert.Equal(("STANDING_AGENCY", StandingAgencyStaff), (published.PublishedBy.ActingAs, published.PublishedBy.PersonId));
        Assert.Equal([1], (await ScoringSteps.ListCriteriaAsync(host)).Select(v => v.Version));
    }

    [Fact]
    public async Task T6_DuplicateCriterionCodesAreRefusedNamingTheSecond()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var criteria = ScoringSteps.StandardCriteria();
        criteria[1].Code = "c1"; // the same code as criteria[0] ("C1"), ignoring case

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishCriteriaVersionAsync(
            ScoringSteps.CriteriaRequest(criteria), As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["criteria[1].code"], TasksServiceTests.Violations(ex).Select(v => v.Field));
        Assert.Empty(await ScoringSteps.ListCriteriaAsync(host));
    }

    [Fact]
    public async Task T6_CriteriaVersionsNumberFromOneAndEarlierOnesStayUnchanged()
    {
        await using var host = await TasksHost.StartAsync(redis);
        var v1 = await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var fetchedBefore = await ScoringSteps.GetCriteriaAsync(host, 1);
        host.Time.Advance(TimeSpan.FromDays(30));

        var v2 = await ScoringSteps.PublishCriteriaAsync(host,
            ScoringSteps.Criterion("C1", "Tỷ lệ hoàn thành đúng hạn", Indicator.OnTimeCompletionRate, 70),
            ScoringSteps.Criterion("C5", "Kết quả kiểm tra", Indicator.InspectionFindings, 30, penalty: 1000));
        var fetchedV1 = await ScoringSteps.GetCriteriaAsync(host, 1);
        var fetchedV2 = await ScoringSteps.GetCriteriaAsync(host, 2);
        var latestRound = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        var v1Round = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest(criteriaVersion: 1));

        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal(v1, fetchedBefore);
        Assert.Equal(v1, fetchedV1);
        Assert.Equal(v2, fetchedV2);
        Assert.Equal(["C1", "C2", "C3"], fetchedV1.Criteria.Select(c => c.Code));
        Assert.Equal(50, fetchedV1.Criteria[0].Weight);
        Assert.Equal([1, 2], (await ScoringSteps.ListCriteriaAsync(host)).Select(v => v.Version));
        // criteria_version 0 means the latest published version.
        Assert.Equal((2, 1), (latestRound.CriteriaVersion, v1Round.CriteriaVersion));
        Assert.Equal(["C1", "C5"], latestRound.Result.Scores[0].Criteria.Select(c => c.Code));
    }

    // ---- rounds (T6) ----------------------------------------------------------------------------------

    [Fact]
    public async Task T6_RoundOverAQuarterGivesTheHandComputedScoresAndRanks()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));

        var round = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        Assert.Equal(RoundStatus.Draft, round.Status);
        Assert.Equal(1, round.CriteriaVersion);
        // Every agency of the committee (none asked for), sorted by id.
        Assert.Equal(["cong-an-tinh", "so-khcn", "so-noi-vu", "so-tai-chinh", "ubnd-tinh"], round.AgencyIds);
        // The 6 tasks due in the quarter and the one due before it still overdue at its end.
        Assert.Equal(7, round.TaskCount);
        Assert.Equal(64, round.InputsSha256.Length);
        Assert.Equal(64, round.ResultSha256.Length);
        Assert.Equal(("STANDING_AGENCY", "ROUND_COMPUTED"), (round.ComputedBy.ActingAs, Assert.Single(round.History).Action));

        // Ranked by total, ties by agency id, competition ranking (1, 1, 1, 4, 5).
        Assert.Equal(
        [
            ("cong-an-tinh", 1, 10000), ("so-noi-vu", 1, 10000), ("ubnd-tinh", 1, 10000), ("so-khcn", 4, 5250), ("so-tai-chinh", 5, 2500),
        ], round.Result.Scores.Select(s => (s.AgencyId, s.Rank, s.TotalCenti)));

        // Sở KH&CN: 3 due (one on time, one late, one overdue). C1 = 1/3 → 3333; C2 = 100 − 25 × 1 → 7500;
        // C3 = 2/3 → 6667; total (50 × 3333 + 30 × 7500 + 20 × 6667) ÷ 100 = 5249.9 → 5250.
        var khcn = ScoringSteps.Of(round, "so-khcn");
        Assert.Equal("Sở Khoa học và Công nghệ", khcn.AgencyName);
        Assert.Equal(3, khcn.TasksDue);
        Assert.Equal(
        [
            ("C1", true, 1, 3, 3333), ("C2", true, 1, 0, 7500), ("C3", true, 2, 3, 6667),
        ], khcn.Criteria.Select(c => (c.Code, c.Applicable, c.Numerator, c.Denominator, c.ScoreCenti)));

        // Sở Tài chính: 2 due (one late, one overdue) and one due in September still overdue.
        // C1 = 0/2 → 0; C2 = 100 − 25 × 2 → 5000; C3 = 1/2 → 5000; total (0 + 150000 + 100000) ÷ 100 = 2500.
        Assert.Equal(
        [
            ("C1", true, 0, 2, 0), ("C2", true, 2, 0, 5000), ("C3", true, 1, 2, 5000),
        ], ScoringSteps.Of(round, "so-tai-chinh").Criteria.Select(c => (c.Code, c.Applicable, c.Numerator, c.Denominator, c.ScoreCenti)));

        // UBND tỉnh has no task due: the rates are not applicable and the total weighs C2 alone.
        var ubnd = ScoringSteps.Of(round, "ubnd-tinh");
        Assert.Equal([false, true, false], ubnd.Criteria.Select(c => c.Applicable));
        Assert.Equal(0, ubnd.TasksDue);
    }

    [Fact]
    public async Task T6_RoundComputedTwiceIsByteIdentical()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));

        var first = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        host.Time.Advance(TimeSpan.FromHours(3));
        var second = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        var verified = await host.Scoring.VerifyRoundAsync(
            new VerifyRoundRequest { CommitteeId = CommitteeId, RoundId = first.RoundId }, As(HeadToken));
        var stored = await ScoringSteps.GetRoundAsync(host, first.RoundId);

        Assert.NotEqual(first.RoundId, second.RoundId);
        Assert.Equal(first.InputsSha256, second.InputsSha256);
        Assert.Equal(first.ResultSha256, second.ResultSha256);
        Assert.Equal(first.Result.ToByteArray(), second.Result.ToByteArray());
        Assert.Equal(first.Result.ToByteArray(), stored.Result.ToByteArray());
        Assert.True(verified.Identical);
        Assert.Equal(
            (first.InputsSha256, first.InputsSha256, first.ResultSha256, first.ResultSha256),
            (verified.StoredInputsSha256, verified.RecomputedInputsSha256, verified.StoredResultSha256, verified.RecomputedResultSha256));
    }

    [Fact]
    public async Task T6_APublishedRoundCannotChange()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var scenario = await QuarterScenario.RunAsync(host);
        // Computed ad hoc on 10/12, before the quarter ends: a completion after it is still inside the period.
        ScoringSteps.At(host, new DateOnly(2026, 12, 10));
        var draft = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        var published = await ScoringSteps.PublishAsync(host, draft.RoundId);
        var resultBytes = published.Result.ToByteArray();

        var again = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishRoundAsync(new PublishRoundRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, RoundId = draft.RoundId,
        }, As(StandingAgencyToken)).ResponseAsync);
        // Sở KH&CN finishes its overdue task afterwards: the facts change, the published round does not.
        ScoringSteps.At(host, new DateOnly(2026, 12, 15));
        await ScoringSteps.CompleteAsync(host, scenario.KhcnOverdue, KhcnToken);
        var after = await ScoringSteps.GetRoundAsync(host, draft.RoundId);
        var verified = await host.Scoring.VerifyRoundAsync(
            new VerifyRoundRequest { CommitteeId = CommitteeId, RoundId = draft.RoundId }, As(HeadToken));
        var recomputed = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Equal("ROUND_PUBLISHED", ScoringSteps.Reason(again));
        Assert.Equal(RoundStatus.Published, after.Status);
        Assert.Equal(resultBytes, after.Result.ToByteArray());
        Assert.Equal((published.InputsSha256, published.ResultSha256), (after.InputsSha256, after.ResultSha256));
        Assert.Equal(["ROUND_COMPUTED", "ROUND_PUBLISHED"], after.History.Select(h => h.Action));
        Assert.True(verified.Identical);
        // The same period computed now is another round, with other inputs and another result.
        Assert.NotEqual(published.InputsSha256, recomputed.InputsSha256);
        Assert.NotEqual(resultBytes, recomputed.Result.ToByteArray());
        Assert.Equal(5250, ScoringSteps.Of(after, "so-khcn").TotalCenti);
        // All 3 done, 1 on time, none overdue: (50 × 3333 + 30 × 10000 + 20 × 10000) ÷ 100 = 6666.5 → 6666 (half to even).
        Assert.Equal(6666, ScoringSteps.Of(recomputed, "so-khcn").TotalCenti);
        Assert.Equal(1, await ScoringSteps.PublishedCountAsync(host, ScoringRoundPublished.Descriptor));
    }

    [Fact]
    public async Task T6_AChangedInputGivesADifferentInputsHashInANewRound()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var scenario = await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2026, 12, 10));
        var before = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        ScoringSteps.At(host, new DateOnly(2026, 12, 12));
        await ScoringSteps.CompleteAsync(host, scenario.TaiChinhOverdueInPeriod, ScoringSteps.TaiChinhToken);
        var after = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        var rounds = (await host.Scoring.ListRoundsAsync(new ListRoundsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Rounds;

        Assert.NotEqual(before.RoundId, after.RoundId);
        Assert.NotEqual(before.InputsSha256, after.InputsSha256);
        Assert.NotEqual(before.ResultSha256, after.ResultSha256);
        // The quarter is still running: each round counts what is settled on its day (T6, as_of_day).
        // 10/12, Sở Tài chính: the 15/11 task done late; the 20/12 one not yet due, so not counted; the September one overdue
        // → (50 × 0 + 30 × 7500 + 20 × 10000) ÷ 100. 12/12: the 20/12 task done early → (50 × 5000 + 30 × 7500 + 20 × 10000) ÷ 100.
        Assert.Equal(4250, ScoringSteps.Of(before, "so-tai-chinh").TotalCenti);
        Assert.Equal(6750, ScoringSteps.Of(after, "so-tai-chinh").TotalCenti);
        Assert.Equal(1, ScoringSteps.Of(before, "so-tai-chinh").TasksDue);
        // The first round is kept as it was; newest first, without results.
        Assert.Equal([after.RoundId, before.RoundId], rounds.Select(r => r.RoundId));
        Assert.All(rounds, r => Assert.Null(r.Result));
        Assert.Equal(before.Result, (await ScoringSteps.GetRoundAsync(host, before.RoundId)).Result);
    }

    [Fact]
    public async Task T6_ACorrectionOfAPublishedRoundIsLinkedToItAndHappensOnce()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));
        var original = await ScoringSteps.PublishAsync(host, (await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest())).RoundId);

        var withoutReason = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ComputeRoundAsync(
            ScoringSteps.ComputeRequest(corrects: original.RoundId, reason: ""), As(StandingAgencyToken)).ResponseAsync);
        var correction = await ScoringSteps.ComputeAsync(host,
            ScoringSteps.ComputeRequest(corrects: original.RoundId, reason: "Sở Tài chính bổ sung minh chứng hoàn thành nhiệm vụ"));
        var originalWhileDraft = await ScoringSteps.GetRoundAsync(host, original.RoundId);
        await ScoringSteps.PublishAsync(host, correction.RoundId);
        var originalAfter = await ScoringSteps.GetRoundAsync(host, original.RoundId);
        var secondCorrection = await ScoringSteps.ComputeAsync(host,
            ScoringSteps.ComputeRequest(corrects: original.RoundId, reason: "Đính chính lần hai"));
        var secondPublished = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishRoundAsync(new PublishRoundRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, RoundId = secondCorrection.RoundId,
        }, As(StandingAgencyToken)).ResponseAsync);
        // T7: a corrected round is no longer evidence; the correction is.
        var citingOriginal = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ProposeRecognitionAsync(
            ScoringSteps.ProposeRequest(original.RoundId, "so-noi-vu"), As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, withoutReason.StatusCode);
        Assert.Equal(["correction_reason"], TasksServiceTests.Violations(withoutReason).Select(v => v.Field));
        Assert.Equal((original.RoundId, "Sở Tài chính bổ sung minh chứng hoàn thành nhiệm vụ"), (correction.CorrectsRoundId, correction.CorrectionReason));
        Assert.Equal(string.Empty, originalWhileDraft.CorrectedByRoundId);
        Assert.Equal(correction.RoundId, originalAfter.CorrectedByRoundId);
        // The original itself is untouched: same result, same history, still published.
        Assert.Equal(RoundStatus.Published, originalAfter.Status);
        Assert.Equal(original.Result.ToByteArray(), originalAfter.Result.ToByteArray());
        Assert.Equal(original.History, originalAfter.History);
        Assert.Equal(StatusCode.FailedPrecondition, secondPublished.StatusCode);
        Assert.Equal("ROUND_ALREADY_CORRECTED", ScoringSteps.Reason(secondPublished));
        Assert.Equal(correction.RoundId, (await ScoringSteps.GetRoundAsync(host, original.RoundId)).CorrectedByRoundId);
        Assert.Equal(RoundStatus.Draft, (await ScoringSteps.GetRoundAsync(host, secondCorrection.RoundId)).Status);
        Assert.Equal("ROUND_CORRECTED", ScoringSteps.Reason(citingOriginal));
        Assert.Equal(2, await ScoringSteps.PublishedCountAsync(host, ScoringRoundPublished.Descriptor));
    }

    [Fact]
    public async Task T6_ACorrectionOfADraftIsRefused()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var draft = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ComputeRoundAsync(
            ScoringSteps.ComputeRequest(corrects: draft.RoundId, reason: "Tính lại"), As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("ROUND_NOT_PUBLISHED", ScoringSteps.Reason(ex));
        Assert.Single((await host.Scoring.ListRoundsAsync(new ListRoundsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Rounds);
    }

    [Fact]
    public async Task T6_OnlyTheStandingAgencyComputesAndPublishesRounds()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());

        var computeByHead = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ComputeRoundAsync(
            ScoringSteps.ComputeRequest(), As(HeadToken)).ResponseAsync);
        var draft = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());
        var publishByHead = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.PublishRoundAsync(new PublishRoundRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, RoundId = draft.RoundId,
        }, As(HeadToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, computeByHead.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, publishByHead.StatusCode);
        Assert.Equal(RoundStatus.Draft, (await ScoringSteps.GetRoundAsync(host, draft.RoundId)).Status);
        Assert.Equal(0, await ScoringSteps.PublishedCountAsync(host, ScoringRoundPublished.Descriptor));
    }

    [Fact]
    public async Task T6_AManualCriterionNeedsAScoreForEveryAgency()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, [.. ScoringSteps.StandardCriteria(),
            ScoringSteps.Criterion("M1", "Công tác tham mưu", Indicator.Manual, 10)]);
        string[] agencies = ["cong-an-tinh", "so-khcn", "so-noi-vu", "so-tai-chinh", "ubnd-tinh"];
        var incomplete = ScoringSteps.ComputeRequest();
        incomplete.ManualScores.Add(agencies.Where(a => a != "so-tai-chinh").Select(a => ScoringSteps.Manual(a, "M1", 8000)));

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ComputeRoundAsync(incomplete, As(StandingAgencyToken)).ResponseAsync);
        var roundsAfterRefusal = (await host.Scoring.ListRoundsAsync(new ListRoundsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Rounds;
        var complete = ScoringSteps.ComputeRequest();
        complete.ManualScores.Add(agencies.Select(a => ScoringSteps.Manual(a, "M1", a == "so-khcn" ? 9500 : 8000)));
        var round = await ScoringSteps.ComputeAsync(host, complete);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violation = Assert.Single(TasksServiceTests.Violations(ex));
        Assert.Equal("manual_scores", violation.Field);
        Assert.Contains("so-tai-chinh", violation.Description, StringComparison.Ordinal);
        Assert.Contains("M1", violation.Description, StringComparison.Ordinal);
        Assert.Empty(roundsAfterRefusal);
        var manual = ScoringSteps.Of(round, "so-khcn").Criteria.Single(c => c.Code == "M1");
        Assert.Equal((true, 9500, "Tham mưu kịp thời, đầy đủ"), (manual.Applicable, manual.ScoreCenti, manual.Justification));
        Assert.Equal(5, round.ManualScores.Count);
    }

    [Fact]
    public async Task I6_AnInspectionFindingCountsAgainstTheInspectedAgency()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host,
            ScoringSteps.Criterion("K1", "Kiến nghị qua kiểm tra", Indicator.InspectionFindings, 1, penalty: 1500));
        // One finding in the quarter, delivered twice; one for the same agency in September, outside the quarter.
        var finding = ScoringSteps.Recommendation("rec-1", "so-noi-vu", new DateOnly(2026, 10, 20));
        Assert.Equal(DispatchOutcome.Handled, await host.DeliverAsync(finding, "evt-rec-1", "inspections"));
        Assert.Equal(DispatchOutcome.Handled, await host.DeliverAsync(finding, "evt-rec-1-replayed", "inspections"));
        await host.DeliverAsync(ScoringSteps.Recommendation("rec-0", "so-noi-vu", new DateOnly(2026, 9, 5)), "evt-rec-0", "inspections");
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));

        var round = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        var noiVu = ScoringSteps.Of(round, "so-noi-vu").Criteria.Single();
        Assert.Equal((Indicator.InspectionFindings, 1, 8500), (noiVu.Indicator, noiVu.Numerator, noiVu.ScoreCenti));
        Assert.Equal(8500, ScoringSteps.Of(round, "so-noi-vu").TotalCenti);
        Assert.Equal(5, ScoringSteps.Of(round, "so-noi-vu").Rank);
        Assert.All(round.Result.Scores.Where(s => s.AgencyId != "so-noi-vu"), s => Assert.Equal((0, 10000), (s.Criteria[0].Numerator, s.TotalCenti)));
    }

    // ---- proposals (T7) -------------------------------------------------------------------------------

    [Fact]
    public async Task T7_AProposalCopiesTheAgencysTotalAndRankFromThePublishedRound()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var scenario = await QuarterScenario.RunAsync(host);
        await host.DeliverAsync(ScoringSteps.Recommendation("rec-7", "so-tai-chinh", new DateOnly(2026, 11, 2)), "evt-rec-7", "inspections");
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));
        var round = await ScoringSteps.PublishAsync(host, (await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest())).RoundId);
        var request = ScoringSteps.ProposeRequest(round.RoundId, "so-tai-chinh", ProposalKind.Discipline);
        request.TaskIds.Add(scenario.TaiChinhOverdueInPeriod);
        request.RecommendationIds.Add("rec-7");

        var byHead = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ProposeRecognitionAsync(
            ScoringSteps.ProposeRequest(round.RoundId, "so-tai-chinh"), As(HeadToken)).ResponseAsync);
        var proposal = (await host.Scoring.ProposeRecognitionAsync(request, As(StandingAgencyToken))).Proposal;
        var fetched = (await host.Scoring.GetProposalAsync(
            new GetProposalRequest { CommitteeId = CommitteeId, ProposalId = proposal.ProposalId }, As(HeadToken))).Proposal;

        Assert.Equal(StatusCode.PermissionDenied, byHead.StatusCode);
        var scored = ScoringSteps.Of(round, "so-tai-chinh");
        Assert.Equal((round.RoundId, scored.TotalCenti, scored.Rank), (proposal.RoundId, proposal.TotalCenti, proposal.Rank));
        Assert.Equal((2500, 5), (proposal.TotalCenti, proposal.Rank));
        Assert.Equal((ProposalStatus.Pending, ProposalKind.Discipline), (proposal.Status, proposal.Kind));
        Assert.Equal([scenario.TaiChinhOverdueInPeriod], proposal.TaskIds);
        Assert.Equal(["rec-7"], proposal.RecommendationIds);
        Assert.Equal("STANDING_AGENCY", proposal.ProposedBy.ActingAs);
        Assert.Equal(proposal, fetched);
    }

    [Fact]
    public async Task T7_AProposalCitingADraftRoundIsRefused()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var draft = await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest());

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ProposeRecognitionAsync(
            ScoringSteps.ProposeRequest(draft.RoundId, "so-khcn"), As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("ROUND_NOT_PUBLISHED", ScoringSteps.Reason(ex));
        Assert.Empty((await host.Scoring.ListProposalsAsync(new ListProposalsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Proposals);
    }

    [Fact]
    public async Task T7_AProposalCitingATaskOfAnotherAgencyIsRefusedNamingIt()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var scenario = await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));
        var round = await ScoringSteps.PublishAsync(host, (await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest())).RoundId);
        var request = ScoringSteps.ProposeRequest(round.RoundId, "so-noi-vu");
        request.TaskIds.Add([scenario.KhcnOnTime, scenario.NoiVuOnTime]);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.ProposeRecognitionAsync(request, As(StandingAgencyToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["task_ids[0]"], TasksServiceTests.Violations(ex).Select(v => v.Field));
        Assert.Empty((await host.Scoring.ListProposalsAsync(new ListProposalsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Proposals);
    }

    [Fact]
    public async Task T7_OnlyTheHeadDecidesAProposalAndOnlyOnce()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ScoringSteps.PublishCriteriaAsync(host, ScoringSteps.StandardCriteria());
        var scenario = await QuarterScenario.RunAsync(host);
        ScoringSteps.At(host, new DateOnly(2027, 1, 4));
        var round = await ScoringSteps.PublishAsync(host, (await ScoringSteps.ComputeAsync(host, ScoringSteps.ComputeRequest())).RoundId);
        var propose = ScoringSteps.ProposeRequest(round.RoundId, "so-noi-vu");
        propose.TaskIds.Add(scenario.NoiVuOnTime);
        var proposal = (await host.Scoring.ProposeRecognitionAsync(propose, As(StandingAgencyToken))).Proposal;
        var decision = new Decision { Number = "15/QĐ-BCĐ", Date = new DateOnly(2027, 1, 8).ToProtoDate() };
        DecideProposalRequest Decide() => new()
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, ProposalId = proposal.ProposalId, Approve = true,
            Decision = decision, Note = "Khen thưởng Sở Nội vụ",
        };
        ScoringSteps.At(host, new DateOnly(2027, 1, 8));

        var byDeputy = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.DecideProposalAsync(Decide(), As(DeputyToken)).ResponseAsync);
        var byStandingAgency = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.DecideProposalAsync(Decide(), As(StandingAgencyToken)).ResponseAsync);
        var decided = (await host.Scoring.DecideProposalAsync(Decide(), As(HeadToken))).Proposal;
        var twice = await Assert.ThrowsAsync<RpcException>(() => host.Scoring.DecideProposalAsync(Decide(), As(HeadToken)).ResponseAsync);
        var approved = (await host.Scoring.ListProposalsAsync(
            new ListProposalsRequest { CommitteeId = CommitteeId, Status = ProposalStatus.Approved }, As(HeadToken))).Proposals;

        Assert.Equal(StatusCode.PermissionDenied, byDeputy.StatusCode);
        Assert.Equal("NOT_HEAD", ScoringSteps.Reason(byDeputy));
        Assert.Equal(StatusCode.PermissionDenied, byStandingAgency.StatusCode);
        Assert.Equal(ProposalStatus.Approved, decided.Status);
        // The Head signs the decision recorded (X1) when the request leaves the signer out.
        var signed = decision.Clone();
        signed.Signer = "Phạm Hoàng Sơn";
        Assert.Equal(signed, decided.Decision);
        Assert.Equal(("HEAD", Head), (decided.DecidedBy.ActingAs, decided.DecidedBy.PersonId));
        Assert.Equal(new DateOnly(2027, 1, 8), ProvinceTime.DateOf(decided.DecidedAt.ToDateTimeOffset()));
        Assert.Equal(["PROPOSAL_SUBMITTED", "PROPOSAL_APPROVED"], decided.History.Select(h => h.Action));
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        Assert.Equal("PROPOSAL_DECIDED", ScoringSteps.Reason(twice));
        Assert.Equal(decided, Assert.Single(approved));
        Assert.Equal(1, await ScoringSteps.PublishedCountAsync(host, ProposalDecided.Descriptor));
    }
}

/// <summary>
/// A quarter of work for the scoring tests (Quý IV/2026: 1/10–31/12/2026), assigned on 1/9/2026 and
/// completed by the lead agencies as the clock moves (it ends on 1/12/2026):
/// Sở KH&amp;CN — due 15/10 done 10/10 (on time), due 31/10 done 5/11 (late), due 30/11 never (overdue);
/// Sở Nội vụ — due 15/12 done 1/12 (on time);
/// Sở Tài chính — due 15/11 done 20/11 (late), due 20/12 never (overdue at the end of the quarter),
/// and due 20/9 never (before the quarter, still overdue at its end).
/// </summary>
internal sealed record QuarterScenario(
    string KhcnOnTime, string KhcnLate, string KhcnOverdue, string NoiVuOnTime,
    string TaiChinhLate, string TaiChinhOverdueInPeriod, string TaiChinhOverdueBefore)
{
    public static async Task<QuarterScenario> RunAsync(TasksHost host)
    {
        async Task<string> Assign(string lead, int month, int day) =>
            (await host.AssignAsync(TasksHost.Directive(lead: lead, deadline: new DateOnly(2026, month, day)))).TaskId;

        var scenario = new QuarterScenario(
            await Assign("so-khcn", 10, 15), await Assign("so-khcn", 10, 31), await Assign("so-khcn", 11, 30),
            await Assign("so-noi-vu", 12, 15),
            await Assign("so-tai-chinh", 11, 15), await Assign("so-tai-chinh", 12, 20), await Assign("so-tai-chinh", 9, 20));

        ScoringSteps.At(host, new DateOnly(2026, 10, 10));
        await ScoringSteps.CompleteAsync(host, scenario.KhcnOnTime, KhcnToken);
        ScoringSteps.At(host, new DateOnly(2026, 11, 5));
        await ScoringSteps.CompleteAsync(host, scenario.KhcnLate, KhcnStaffToken);
        ScoringSteps.At(host, new DateOnly(2026, 11, 20));
        await ScoringSteps.CompleteAsync(host, scenario.TaiChinhLate, ScoringSteps.TaiChinhToken);
        ScoringSteps.At(host, new DateOnly(2026, 12, 1));
        await ScoringSteps.CompleteAsync(host, scenario.NoiVuOnTime, NoiVuToken);
        return scenario;
    }
}

/// <summary>Calls and builders shared by the scoring and reporting tests.</summary>
internal static class ScoringSteps
{
    public static readonly string TaiChinhToken = TestTokens.For("chuyen-vien-so-tai-chinh", CommitteeId, "so-tai-chinh", name: "Chuyên viên Sở Tài chính");

    public static ScoringPeriod Quarter4 => new()
    {
        Label = "Quý IV/2026",
        From = new DateOnly(2026, 10, 1).ToProtoDate(),
        To = new DateOnly(2026, 12, 31).ToProtoDate(),
    };

    /// <summary>Moves the fake clock to <paramref name="day"/> at 10:00 in Hà Nội (forward only).</summary>
    public static void At(TasksHost host, DateOnly day, int hour = 10) =>
        host.Time.SetUtcNow(new DateTimeOffset(day.Year, day.Month, day.Day, hour, 0, 0, Vn));

    public static Criterion Criterion(string code, string name, Indicator indicator, int weight, int penalty = 0) =>
        new() { Code = code, Name = name, Indicator = indicator, Weight = weight, PenaltyCenti = penalty };

    /// <summary>C1 on-time rate (weight 50), C2 overdue count (30, 25 points each), C3 completion rate (20).</summary>
    public static Criterion[] StandardCriteria() =>
    [
        Criterion("C1", "Tỷ lệ nhiệm vụ hoàn thành đúng hạn", Indicator.OnTimeCompletionRate, 50),
        Criterion("C2", "Số nhiệm vụ quá hạn", Indicator.OverdueCount, 30, penalty: 2500),
        Criterion("C3", "Tỷ lệ nhiệm vụ hoàn thành", Indicator.CompletionRate, 20),
    ];

    public static PublishCriteriaVersionRequest CriteriaRequest(params Criterion[] criteria)
    {
        var request = new PublishCriteriaVersionRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, Name = "Bộ tiêu chí đánh giá kết quả thực hiện nhiệm vụ",
            Decision = new Decision { Number = "12/QĐ-BCĐ", Date = new DateOnly(2026, 8, 28).ToProtoDate() },
        };
        request.Criteria.Add(criteria);
        return request;
    }

    public static async Task<CriteriaVersion> PublishCriteriaAsync(TasksHost host, params Criterion[] criteria) =>
        (await host.Scoring.PublishCriteriaVersionAsync(CriteriaRequest(criteria), As(StandingAgencyToken))).Criteria;

    public static async Task<CriteriaVersion> GetCriteriaAsync(TasksHost host, int version) =>
        (await host.Scoring.GetCriteriaVersionAsync(new GetCriteriaVersionRequest { CommitteeId = CommitteeId, Version = version }, As(HeadToken))).Criteria;

    public static async Task<IReadOnlyList<CriteriaVersion>> ListCriteriaAsync(TasksHost host) =>
        (await host.Scoring.ListCriteriaVersionsAsync(new ListCriteriaVersionsRequest { CommitteeId = CommitteeId }, As(HeadToken))).Versions;

    public static ComputeRoundRequest ComputeRequest(int criteriaVersion = 0, string corrects = "", string reason = "", ScoringPeriod? period = null) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, Period = period ?? Quarter4, CriteriaVersion = criteriaVersion,
        CorrectsRoundId = corrects, CorrectionReason = reason,
    };

    public static async Task<ScoringRound> ComputeAsync(TasksHost host, ComputeRoundRequest request) =>
        (await host.Scoring.ComputeRoundAsync(request, As(StandingAgencyToken))).Round;

    public static async Task<ScoringRound> PublishAsync(TasksHost host, string roundId) =>
        (await host.Scoring.PublishRoundAsync(new PublishRoundRequest { RequestId = NewRequestId(), CommitteeId = CommitteeId, RoundId = roundId },
            As(StandingAgencyToken))).Round;

    public static async Task<ScoringRound> GetRoundAsync(TasksHost host, string roundId) =>
        (await host.Scoring.GetRoundAsync(new GetRoundRequest { CommitteeId = CommitteeId, RoundId = roundId }, As(HeadToken))).Round;

    public static AgencyScore Of(ScoringRound round, string agencyId) => round.Result.Scores.Single(s => s.AgencyId == agencyId);

    public static ManualScore Manual(string agencyId, string code, int scoreCenti) => new()
    {
        AgencyId = agencyId, CriterionCode = code, ScoreCenti = scoreCenti,
        Justification = agencyId == "so-khcn" ? "Tham mưu kịp thời, đầy đủ" : "Tham mưu đạt yêu cầu",
    };

    public static ProposeRecognitionRequest ProposeRequest(string roundId, string agencyId, ProposalKind kind = ProposalKind.Commendation) => new()
    {
        RequestId = NewRequestId(), CommitteeId = CommitteeId, Kind = kind, AgencyId = agencyId, RoundId = roundId,
        Rationale = "Căn cứ kết quả chấm điểm Quý IV/2026",
    };

    /// <summary>An inspection recommendation to <paramref name="agencyId"/>, issued on <paramref name="issued"/>, with a follow-up task.</summary>
    public static RecommendationIssued Recommendation(string recommendationId, string agencyId, DateOnly issued) => new()
    {
        CommitteeId = CommitteeId, InspectionId = "ins-1", RecommendationId = recommendationId, AgencyId = agencyId,
        Finding = "Chậm số hóa hồ sơ", Recommendation = "Hoàn thành số hóa",
        FollowUp = TasksHost.Directive(lead: agencyId, deadline: issued.AddDays(60)),
        OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(issued.Year, issued.Month, issued.Day, 9, 0, 0, Vn)),
        Actor = new Actor { PersonId = Head },
    };

    /// <summary>
    /// Reports 100 % (completing the task on today's province day). The app's reminder scanner runs on
    /// the same fake clock and may save the task at the same moment: a lost version race (ABORTED) is retried.
    /// </summary>
    public static async Task<AssignedTask> CompleteAsync(TasksHost host, string taskId, string token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await host.ReportAsync(taskId, 100, token);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && attempt < 5)
            {
                await Task.Delay(50);
            }
        }
    }

    public static Task<int> PublishedCountAsync(TasksHost host, MessageDescriptor type) => host.PublishedCountAsync(type);

    /// <summary>The ErrorInfo reason of a refusal (e.g. "ROUND_PUBLISHED").</summary>
    public static string? Reason(RpcException ex) => ex.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
}
