using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain.Scoring;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>T6: a round computed while its period still runs counts only what is settled on its day.</summary>
public sealed class ScoringAsOfTests
{
    private static readonly DateOnly From = new(2026, 10, 1);
    private static readonly DateOnly To = new(2026, 12, 31);

    [Fact]
    public void T6_ARunningPeriodCountsOnlySettledTasks()
    {
        // Due 15/10 done on time; due 20/12 not done yet; due 20/11 not done (past its deadline on 10/12).
        TaskFact[] tasks =
        [
            Fact("t1", new DateOnly(2026, 10, 15), new DateOnly(2026, 10, 14)),
            Fact("t2", new DateOnly(2026, 12, 20), null),
            Fact("t3", new DateOnly(2026, 11, 20), null),
        ];

        var running = Compute(tasks, today: new DateOnly(2026, 12, 10));
        var ended = Compute(tasks, today: new DateOnly(2027, 1, 5));

        // 10/12: t1 on time, t3 failed, t2 not counted → 1 of 2.
        Assert.Equal((2, 5000, 1), (running.TasksDue, running.Criteria[0].ScoreCenti, running.Criteria[1].Numerator));
        // After the quarter: all three due; t2 and t3 overdue at its end.
        Assert.Equal((3, 3333, 2), (ended.TasksDue, ended.Criteria[0].ScoreCenti, ended.Criteria[1].Numerator));
    }

    [Fact]
    public void T6_TheAsOfDayIsPartOfTheInputsOnlyWhileThePeriodRuns()
    {
        TaskFact[] tasks = [Fact("t1", new DateOnly(2026, 10, 15), new DateOnly(2026, 10, 14))];

        var tenth = Build(tasks, new DateOnly(2026, 12, 10));
        var eleventh = Build(tasks, new DateOnly(2026, 12, 11));
        var afterA = Build(tasks, new DateOnly(2027, 1, 5));
        var afterB = Build(tasks, new DateOnly(2027, 3, 1));

        Assert.Equal(new DateOnly(2026, 12, 10).DayNumber, tenth.AsOfDay);
        Assert.NotEqual(ScoringHash.Sha256Hex(tenth), ScoringHash.Sha256Hex(eleventh));
        Assert.Equal(0, afterA.AsOfDay);
        Assert.Equal(ScoringHash.Sha256Hex(afterA), ScoringHash.Sha256Hex(afterB));
    }

    private static AgencyScore Compute(TaskFact[] tasks, DateOnly today) => ScoringEngine.Compute(Build(tasks, today)).Scores.Single();

    private static ScoringInputs Build(TaskFact[] tasks, DateOnly today)
    {
        var criteria = new CriteriaVersion { CommitteeId = "bac-ninh", Version = 1 };
        criteria.Criteria.Add(new Criterion { Code = "C1", Name = "Đúng hạn", Weight = 1, Indicator = Indicator.OnTimeCompletionRate });
        criteria.Criteria.Add(new Criterion { Code = "C2", Name = "Quá hạn", Weight = 1, Indicator = Indicator.OverdueCount, PenaltyCenti = 1000 });
        var period = new ScoringPeriod { Label = "Quý IV/2026", From = From.ToProtoDate(), To = To.ToProtoDate() };
        return ScoringInputsBuilder.Build("bac-ninh", period, criteria, [new AgencyFact { AgencyId = "so-khcn", Name = "Sở KH&CN" }],
            tasks, [], [], [], today);
    }

    private static TaskFact Fact(string id, DateOnly deadline, DateOnly? completed) => new()
    {
        TaskId = id, LeadAgencyId = "so-khcn", DeadlineDay = deadline.DayNumber, CompletedDay = completed?.DayNumber ?? 0,
    };
}
