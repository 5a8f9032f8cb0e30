using System.Security.Cryptography;
using Bcd.Contracts.Tasks.V1;
using Bcd.Tasks.Domain.Scoring;
using Google.Protobuf;
using static Bcd.Tasks.Tests.Domain.Scoring.ScoringScenario;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>
/// T6: "the same inputs and criteria version give the same score". VerifyRound compares bytes, so
/// order of arrival must not matter and any change of a fact that counts must change the inputs hash.
/// </summary>
public sealed class ScoringDeterminismTests
{
    private static readonly CriteriaVersion SixCriteria =
        Criteria(OnTime("C1", 30), Completion("C2", 20), Overdue("C3", 15, 500), Reports("C4", 15), Findings("C5", 10, 1000), Manual("C6", 10));

    /// <summary>A seeded quarter: 30 agencies, 3000 tasks, reports and findings around the period's edges.</summary>
    private sealed record Facts(List<AgencyFact> Agencies, List<TaskFact> Tasks, List<ReportFact> Reports, List<FindingFact> Findings, List<ManualScore> Manual)
    {
        public static Facts Generate(int seed = 2027)
        {
            var random = new Random(seed);
            var agencies = Enumerable.Range(0, 30).Select(i => Agency($"ag-{i:00}", $"Cơ quan {i}")).ToList();
            int AnyDay() => random.Next(From - 60, To + 60);
            int Completed(int deadline) => random.Next(4) == 0 ? 0 : deadline + random.Next(-20, 10);
            var tasks = Enumerable.Range(0, 3000).Select(i =>
            {
                var deadline = AnyDay();
                return Task($"task-{i:0000}", agencies[random.Next(agencies.Count)].AgencyId, deadline, Completed(deadline));
            }).ToList();
            var reports = Enumerable.Range(0, 300).Select(i =>
            {
                var due = AnyDay();
                return Report($"group-{i % 12}", agencies[i % 30].AgencyId, $"p-{i}", due, Completed(due));
            }).ToList();
            var findings = Enumerable.Range(0, 200).Select(i => Finding($"kn-{i:000}", agencies[random.Next(30)].AgencyId, AnyDay())).ToList();
            var manual = agencies.Select(a => Score(a.AgencyId, "C6", random.Next(0, 10001), "Nhận xét của Cơ quan thường trực")).ToList();
            return new Facts(agencies, tasks, reports, findings, manual);
        }

        public Facts Shuffled(int seed)
        {
            var random = new Random(seed);
            T[] Shuffle<T>(List<T> list)
            {
                var copy = list.ToArray();
                random.Shuffle(copy);
                return copy;
            }

            return new Facts([.. Shuffle(Agencies)], [.. Shuffle(Tasks)], [.. Shuffle(Reports)], [.. Shuffle(Findings)], [.. Shuffle(Manual)]);
        }

        public ScoringInputs Build(CriteriaVersion? criteria = null) =>
            ScoringInputsBuilder.Build(CommitteeId, Q1, criteria ?? SixCriteria, Agencies, Tasks, Reports, Findings, Manual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void T6_SameFactsInShuffledOrderGiveByteIdenticalInputsAndResult(int shuffleSeed)
    {
        var facts = Facts.Generate();
        var shuffled = facts.Shuffled(shuffleSeed);
        Assert.NotEqual(facts.Tasks.Select(t => t.TaskId), shuffled.Tasks.Select(t => t.TaskId));

        var inputs = facts.Build();
        var shuffledInputs = shuffled.Build();
        var result = ScoringEngine.Compute(inputs);
        var shuffledResult = ScoringEngine.Compute(shuffledInputs);

        Assert.Equal(inputs.ToByteArray(), shuffledInputs.ToByteArray());
        Assert.Equal(ScoringHash.Sha256Hex(inputs), ScoringHash.Sha256Hex(shuffledInputs));
        Assert.Equal(result.ToByteArray(), shuffledResult.ToByteArray());
        Assert.Equal(ScoringHash.Sha256Hex(result), ScoringHash.Sha256Hex(shuffledResult));
    }

    [Fact]
    public void T6_RoundComputedTwiceIsByteIdentical()
    {
        var inputs = Facts.Generate().Build();

        var first = ScoringEngine.Compute(inputs);
        // As VerifyRound does: from the stored bytes of the snapshot, not from the object in memory.
        var second = ScoringEngine.Compute(ScoringInputs.Parser.ParseFrom(inputs.ToByteArray()));

        Assert.Equal(first.ToByteArray(), second.ToByteArray());
        Assert.Equal(30, first.Scores.Count);
        Assert.Contains(first.Scores, s => s.TotalCenti > 0);
    }

    [Fact]
    public void T6_EngineGivesTheSameResultForAnUnfilteredSnapshot()
    {
        // Facts outside the period or the round contribute nothing, even in a snapshot the builder did not make.
        var facts = Facts.Generate();
        var raw = new ScoringInputs { CommitteeId = CommitteeId, Period = Q1, Criteria = SixCriteria };
        raw.Agencies.AddRange(facts.Agencies);
        raw.Tasks.AddRange(facts.Tasks);
        raw.Tasks.Add(Task("stranger", "so-khac", From + 1));
        raw.Reports.AddRange(facts.Reports);
        raw.Findings.AddRange(facts.Findings);
        raw.ManualScores.AddRange(facts.Manual);

        Assert.True(raw.Tasks.Count > facts.Build().Tasks.Count);
        Assert.Equal(ScoringEngine.Compute(facts.Build()).ToByteArray(), ScoringEngine.Compute(raw).ToByteArray());
    }

    public static TheoryData<string> Changes => new()
    {
        "task completed a day later",
        "task led by another agency",
        "report submitted",
        "finding added",
        "manual score justification",
        "agency renamed",
        "criterion weight",
        "period label",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void T6_ChangingOneFactChangesTheInputsHash(string change)
    {
        var facts = Facts.Generate();
        var criteria = SixCriteria.Clone();
        var before = ScoringHash.Sha256Hex(facts.Build(criteria));
        var inPeriod = facts.Tasks.First(t => t.DeadlineDay >= From && t.DeadlineDay <= To && t.CompletedDay != 0);

        switch (change)
        {
            case "task completed a day later": inPeriod.CompletedDay++; break;
            case "task led by another agency": inPeriod.LeadAgencyId = facts.Agencies.First(a => a.AgencyId != inPeriod.LeadAgencyId).AgencyId; break;
            case "report submitted": facts.Reports.First(r => r.DueDay >= From && r.DueDay <= To && r.SubmittedDay == 0).SubmittedDay = To; break;
            case "finding added": facts.Findings.Add(Finding("kn-new", "ag-07", To)); break;
            case "manual score justification": facts.Manual[3].Justification += "."; break;
            case "agency renamed": facts.Agencies[5].Name = "Sở Nội vụ"; break;
            case "criterion weight": criteria.Criteria[0].Weight++; break;
            case "period label":
                var period = Q1.Clone();
                period.Label = "Quý 1/2027";
                var relabelled = ScoringInputsBuilder.Build(CommitteeId, period, criteria, facts.Agencies, facts.Tasks, facts.Reports, facts.Findings, facts.Manual);
                Assert.NotEqual(before, ScoringHash.Sha256Hex(relabelled));
                return;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }

        Assert.NotEqual(before, ScoringHash.Sha256Hex(facts.Build(criteria)));
    }

    [Fact]
    public void T6_FactOutsideThePeriodDoesNotChangeTheInputsHash()
    {
        var facts = Facts.Generate();
        var before = ScoringHash.Sha256Hex(facts.Build());

        facts.Tasks.Add(Task("next-quarter", "ag-01", To + 1));
        facts.Findings.Add(Finding("kn-last-year", "ag-01", From - 1));

        Assert.Equal(before, ScoringHash.Sha256Hex(facts.Build()));
    }

    [Fact]
    public void T6_HashIsLowercaseHexSha256OfTheProtobufBytes()
    {
        // SHA-256 of no bytes: an empty result serializes to nothing.
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ScoringHash.Sha256Hex(new RoundResult()));

        var inputs = Facts.Generate().Build();
        var hex = ScoringHash.Sha256Hex(inputs);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(inputs.ToByteArray())).ToLowerInvariant(), hex);
        Assert.Matches("^[0-9a-f]{64}$", hex);
    }
}
