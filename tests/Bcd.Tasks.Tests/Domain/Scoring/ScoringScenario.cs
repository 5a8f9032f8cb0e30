using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain.Scoring;

namespace Bcd.Tasks.Tests.Domain.Scoring;

/// <summary>
/// The facts the scoring tests share: Quarter I/2027 (1/1–31/3/2027), committee "bac-ninh", agencies
/// named after real Bắc Ninh departments. Days are DateOnly.DayNumber, as in the snapshot.
/// </summary>
internal static class ScoringScenario
{
    public const string CommitteeId = "bac-ninh";

    public static readonly ScoringPeriod Q1 = Period(new DateOnly(2027, 1, 1), new DateOnly(2027, 3, 31));
    public static readonly int From = Day(2027, 1, 1);
    public static readonly int To = Day(2027, 3, 31);

    public static int Day(int year, int month, int day) => new DateOnly(year, month, day).DayNumber;

    public static ScoringPeriod Period(DateOnly from, DateOnly to) =>
        new() { Label = "Quý I/2027", From = from.ToProtoDate(), To = to.ToProtoDate() };

    public static CriteriaVersion Criteria(params Criterion[] criteria)
    {
        var version = new CriteriaVersion { CommitteeId = CommitteeId, Version = 1, Name = "Bộ tiêu chí 2027" };
        version.Criteria.AddRange(criteria);
        return version;
    }

    public static Criterion Criterion(string code, Indicator indicator, int weight = 1, int penalty = 0) =>
        new() { Code = code, Name = "Tiêu chí " + code, Weight = weight, Indicator = indicator, PenaltyCenti = penalty };

    public static Criterion OnTime(string code = "C1", int weight = 1) => Criterion(code, Indicator.OnTimeCompletionRate, weight);

    public static Criterion Completion(string code = "C2", int weight = 1) => Criterion(code, Indicator.CompletionRate, weight);

    public static Criterion Overdue(string code = "C3", int weight = 1, int penalty = 500) => Criterion(code, Indicator.OverdueCount, weight, penalty);

    public static Criterion Reports(string code = "C4", int weight = 1) => Criterion(code, Indicator.ReportTimeliness, weight);

    public static Criterion Findings(string code = "C5", int weight = 1, int penalty = 1000) => Criterion(code, Indicator.InspectionFindings, weight, penalty);

    public static Criterion Manual(string code = "C6", int weight = 1) => Criterion(code, Indicator.Manual, weight);

    public static AgencyFact Agency(string id, string? name = null) => new() { AgencyId = id, Name = name ?? "Sở " + id };

    public static TaskFact Task(string id, string lead, int deadline, int completed = 0) =>
        new() { TaskId = id, LeadAgencyId = lead, DeadlineDay = deadline, CompletedDay = completed };

    public static ReportFact Report(string group, string lead, string period, int due, int submitted = 0) =>
        new() { GroupId = group, LeadAgencyId = lead, PeriodId = period, DueDay = due, SubmittedDay = submitted };

    public static FindingFact Finding(string id, string agency, int issued) => new() { RecommendationId = id, AgencyId = agency, IssuedDay = issued };

    public static ManualScore Score(string agency, string code, int centi, string justification = "Chủ động tham mưu") =>
        new() { AgencyId = agency, CriterionCode = code, ScoreCenti = centi, Justification = justification };

    public static ScoringInputs Inputs(
        CriteriaVersion criteria,
        IEnumerable<AgencyFact> agencies,
        IEnumerable<TaskFact>? tasks = null,
        IEnumerable<ReportFact>? reports = null,
        IEnumerable<FindingFact>? findings = null,
        IEnumerable<ManualScore>? manual = null,
        ScoringPeriod? period = null) =>
        ScoringInputsBuilder.Build(CommitteeId, period ?? Q1, criteria, agencies, tasks ?? [], reports ?? [], findings ?? [], manual ?? []);

    public static RoundResult Compute(
        CriteriaVersion criteria,
        IEnumerable<AgencyFact> agencies,
        IEnumerable<TaskFact>? tasks = null,
        IEnumerable<ReportFact>? reports = null,
        IEnumerable<FindingFact>? findings = null,
        IEnumerable<ManualScore>? manual = null) =>
        ScoringEngine.Compute(Inputs(criteria, agencies, tasks, reports, findings, manual));

    /// <summary>The one agency's score for criterion <paramref name="code"/>.</summary>
    public static CriterionScore Of(this RoundResult result, string agencyId, string code) =>
        result.Scores.Single(s => s.AgencyId == agencyId).Criteria.Single(c => c.Code == code);

    public static AgencyScore Of(this RoundResult result, string agencyId) => result.Scores.Single(s => s.AgencyId == agencyId);
}
