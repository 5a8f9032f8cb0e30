using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;

namespace Bcd.Tasks.Domain.Scoring;

/// <summary>
/// T6: the canonical snapshot of a round's inputs. It keeps only the facts the indicators of this
/// period and these agencies read, and sorts every list by an ordinal key that covers every field, so
/// the same facts in any order serialize to the same bytes and hash to the same inputs_sha256.
/// </summary>
public static class ScoringInputsBuilder
{
    // A BadRequest naming thousands of missing pairs helps nobody; the first ones show the pattern.
    private const int MaxMissingReported = 50;

    /// <summary>
    /// Builds the snapshot (<paramref name="today"/>: the province day of the computation, which matters
    /// only while the period runs). Bad request data (period, manual scores) → <see cref="InvalidArgumentException"/>
    /// with paths of ComputeRoundRequest ("period.to", "manual_scores[3].criterion_code"). Facts that
    /// contradict each other (an agency or a task twice) are the caller's bug → <see cref="ArgumentException"/>.
    /// </summary>
    public static ScoringInputs Build(
        string committeeId,
        ScoringPeriod period,
        CriteriaVersion criteria,
        IEnumerable<AgencyFact> agencies,
        IEnumerable<TaskFact> tasks,
        IEnumerable<ReportFact> reports,
        IEnumerable<FindingFact> findings,
        IEnumerable<ManualScore> manualScores,
        DateOnly? today = null)
    {
        ArgumentNullException.ThrowIfNull(committeeId);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(manualScores);
        if (criteria.CommitteeId.Length > 0 && criteria.CommitteeId != committeeId)
        {
            throw new ArgumentException(
                $"Criteria version {criteria.Version} belongs to committee '{criteria.CommitteeId}', not '{committeeId}'.", nameof(criteria));
        }

        var violations = new List<FieldViolation>();
        var days = CheckPeriod(period, violations);

        var agencyList = agencies.Select(a => a.Clone()).ToList();
        agencyList.Sort(static (x, y) => string.CompareOrdinal(x.AgencyId, y.AgencyId));
        // Position in ordinal order: facts are bucketed by it, so each list comes out sorted by agency first.
        var agencyIndex = new Dictionary<string, int>(agencyList.Count, StringComparer.Ordinal);
        foreach (var agency in agencyList)
        {
            if (!agencyIndex.TryAdd(agency.AgencyId, agencyIndex.Count))
            {
                throw new ArgumentException($"Agency '{agency.AgencyId}' is listed twice.", nameof(agencies));
            }
        }

        var manualList = CheckManualScores(manualScores, criteria, agencyList, agencyIndex, violations);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var (from, to) = days!.Value;
        var inputs = new ScoringInputs
        {
            CommitteeId = committeeId,
            Period = period.Clone(),
            Criteria = criteria.Clone(),
            // A period still running is scored as of today (what is settled by now), and says so.
            AsOfDay = today is { } day && day.DayNumber <= to ? day.DayNumber : 0,
        };
        inputs.Agencies.AddRange(agencyList);
        inputs.Tasks.AddRange(SelectTasks(tasks, agencyIndex, from, to));
        inputs.Reports.AddRange(SelectReports(reports, agencyIndex, from, to));
        inputs.Findings.AddRange(SelectFindings(findings, agencyIndex, from, to));
        inputs.ManualScores.AddRange(manualList);
        return inputs;
    }

    private static (int From, int To)? CheckPeriod(ScoringPeriod? period, List<FieldViolation> violations)
    {
        if (period is null)
        {
            violations.Add(new FieldViolation("period", "The scoring period is required.", "Cần nêu kỳ chấm điểm.") { RuleId = "required" });
            return null;
        }

        var fromValid = CheckDate(period.From, "period.from", violations);
        var toValid = CheckDate(period.To, "period.to", violations);
        if (!fromValid || !toValid)
        {
            return null;
        }

        var from = period.From.ToDateOnly();
        var to = period.To.ToDateOnly();
        if (from > to)
        {
            violations.Add(new FieldViolation("period.to",
                $"The period ends ({to:dd/MM/yyyy}) before it starts ({from:dd/MM/yyyy}).",
                $"Ngày kết thúc kỳ ({to:dd/MM/yyyy}) trước ngày bắt đầu ({from:dd/MM/yyyy}).")
            { RuleId = "scoring.period_order" });
            return null;
        }

        return (from.DayNumber, to.DayNumber);
    }

    private static bool CheckDate(Google.Type.Date? date, string field, List<FieldViolation> violations)
    {
        if (date.IsValid())
        {
            return true;
        }

        violations.Add(date is null
            ? new FieldViolation(field, "The date is required.", "Cần nêu ngày.") { RuleId = "required" }
            : new FieldViolation(field, $"{date.Day:00}/{date.Month:00}/{date.Year} is not a calendar date.",
                $"Ngày {date.Day:00}/{date.Month:00}/{date.Year} không tồn tại.") { RuleId = "scoring.calendar_date" });
        return false;
    }

    /// <summary>Exactly one manual score per (agency of the round × MANUAL criterion); indices are the caller's order.</summary>
    private static List<ManualScore> CheckManualScores(
        IEnumerable<ManualScore> manualScores,
        CriteriaVersion criteria,
        List<AgencyFact> agencies,
        Dictionary<string, int> agencyIndex,
        List<FieldViolation> violations)
    {
        var indicatorByCode = new Dictionary<string, Indicator>(StringComparer.Ordinal);
        foreach (var criterion in criteria.Criteria)
        {
            indicatorByCode.TryAdd(criterion.Code, criterion.Indicator);
        }

        var manualCodes = criteria.Criteria.Where(c => c.Indicator == Indicator.Manual).Select(c => c.Code).ToList();
        var firstIndex = new Dictionary<(string Agency, string Code), int>();
        var list = new List<ManualScore>();
        var i = 0;
        foreach (var score in manualScores)
        {
            var path = $"manual_scores[{i}]";
            var valid = true;
            if (!agencyIndex.ContainsKey(score.AgencyId))
            {
                valid = false;
                violations.Add(new FieldViolation(path + ".agency_id",
                    $"Agency '{score.AgencyId}' is not scored in this round.",
                    $"Cơ quan '{score.AgencyId}' không thuộc đợt chấm điểm này.")
                { RuleId = "scoring.manual_agency_in_round" });
            }

            if (!indicatorByCode.TryGetValue(score.CriterionCode, out var indicator))
            {
                valid = false;
                violations.Add(new FieldViolation(path + ".criterion_code",
                    $"Criteria version {criteria.Version} has no criterion '{score.CriterionCode}'.",
                    $"Bộ tiêu chí phiên bản {criteria.Version} không có tiêu chí '{score.CriterionCode}'.")
                { RuleId = "scoring.manual_criterion_known" });
            }
            else if (indicator != Indicator.Manual)
            {
                valid = false;
                violations.Add(new FieldViolation(path + ".criterion_code",
                    $"Criterion '{score.CriterionCode}' is computed from the facts; only MANUAL criteria take a score by hand.",
                    $"Tiêu chí '{score.CriterionCode}' được tính tự động từ số liệu; chỉ tiêu chí chấm thủ công mới nhập điểm.")
                { RuleId = "scoring.manual_criterion_manual" });
            }

            // The proto bounds this on the request; a snapshot built any other way must not smuggle in 120 points.
            if (score.ScoreCenti is < 0 or > 10000)
            {
                valid = false;
                violations.Add(new FieldViolation(path + ".score_centi",
                    "A manual score is 0–10000 hundredths of a point.",
                    "Điểm chấm thủ công phải từ 0 đến 10000 (phần trăm điểm).")
                { RuleId = "int32.gte_lte" });
            }

            if (valid)
            {
                if (firstIndex.TryGetValue((score.AgencyId, score.CriterionCode), out var first))
                {
                    violations.Add(new FieldViolation(path,
                        $"Agency '{score.AgencyId}' already has a score for criterion '{score.CriterionCode}' (manual_scores[{first}]).",
                        $"Cơ quan '{score.AgencyId}' đã có điểm cho tiêu chí '{score.CriterionCode}' (mục thứ {first + 1}).")
                    { RuleId = "scoring.manual_unique" });
                }
                else
                {
                    firstIndex.Add((score.AgencyId, score.CriterionCode), i);
                    list.Add(score.Clone());
                }
            }

            i++;
        }

        var missing = 0;
        foreach (var agency in agencies)
        {
            foreach (var code in manualCodes)
            {
                if (firstIndex.ContainsKey((agency.AgencyId, code)))
                {
                    continue;
                }

                if (++missing <= MaxMissingReported)
                {
                    violations.Add(new FieldViolation("manual_scores",
                        $"Agency '{agency.AgencyId}' needs a score for manual criterion '{code}'.",
                        $"Cơ quan '{agency.AgencyId}' chưa có điểm cho tiêu chí chấm thủ công '{code}'.")
                    { RuleId = "scoring.manual_complete" });
                }
            }
        }

        if (missing > MaxMissingReported)
        {
            violations.Add(new FieldViolation("manual_scores",
                $"…and {missing - MaxMissingReported} more (agency, criterion) pairs without a manual score.",
                $"…và còn {missing - MaxMissingReported} cặp (cơ quan, tiêu chí) khác chưa có điểm chấm thủ công.")
            { RuleId = "scoring.manual_complete" });
        }

        list.Sort(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.AgencyId, y.AgencyId);
            return c != 0 ? c : string.CompareOrdinal(x.CriterionCode, y.CriterionCode);
        });
        return list;
    }

    private static List<TaskFact> SelectTasks(IEnumerable<TaskFact> tasks, Dictionary<string, int> agencyIndex, int from, int to)
    {
        var buckets = new Buckets<TaskFact>(agencyIndex.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            var dueInPeriod = task.DeadlineDay >= from && task.DeadlineDay <= to;
            if (!agencyIndex.TryGetValue(task.LeadAgencyId, out var agency) || !(dueInPeriod || ScoringEngine.IsOverdueAt(task, to)))
            {
                continue;
            }

            if (!ids.Add(task.TaskId))
            {
                throw new ArgumentException($"Task '{task.TaskId}' is listed twice.", nameof(tasks));
            }

            buckets.Add(agency, task.Clone());
        }

        return buckets.Flatten(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.TaskId, y.TaskId);
            if (c == 0) c = x.DeadlineDay.CompareTo(y.DeadlineDay);
            return c != 0 ? c : x.CompletedDay.CompareTo(y.CompletedDay);
        });
    }

    private static List<ReportFact> SelectReports(IEnumerable<ReportFact> reports, Dictionary<string, int> agencyIndex, int from, int to)
    {
        var buckets = new Buckets<ReportFact>(agencyIndex.Count);
        var keys = new HashSet<(string Group, string Period)>();
        foreach (var report in reports)
        {
            if (!agencyIndex.TryGetValue(report.LeadAgencyId, out var agency) || report.DueDay < from || report.DueDay > to)
            {
                continue;
            }

            if (!keys.Add((report.GroupId, report.PeriodId)))
            {
                throw new ArgumentException($"Report '{report.GroupId}/{report.PeriodId}' is listed twice.", nameof(reports));
            }

            buckets.Add(agency, report.Clone());
        }

        return buckets.Flatten(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.GroupId, y.GroupId);
            if (c == 0) c = string.CompareOrdinal(x.PeriodId, y.PeriodId);
            if (c == 0) c = x.DueDay.CompareTo(y.DueDay);
            return c != 0 ? c : x.SubmittedDay.CompareTo(y.SubmittedDay);
        });
    }

    private static List<FindingFact> SelectFindings(IEnumerable<FindingFact> findings, Dictionary<string, int> agencyIndex, int from, int to)
    {
        var buckets = new Buckets<FindingFact>(agencyIndex.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (!agencyIndex.TryGetValue(finding.AgencyId, out var agency) || finding.IssuedDay < from || finding.IssuedDay > to)
            {
                continue;
            }

            if (!ids.Add(finding.RecommendationId))
            {
                throw new ArgumentException($"Recommendation '{finding.RecommendationId}' is listed twice.", nameof(findings));
            }

            buckets.Add(agency, finding.Clone());
        }

        return buckets.Flatten(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.RecommendationId, y.RecommendationId);
            return c != 0 ? c : x.IssuedDay.CompareTo(y.IssuedDay);
        });
    }

    /// <summary>
    /// Facts grouped by their agency's ordinal position, then sorted within each agency: the same order as
    /// one sort by (agency id, key) at a fraction of the string comparisons.
    /// </summary>
    private sealed class Buckets<T>(int agencies)
    {
        private readonly List<T>?[] _byAgency = new List<T>?[agencies];
        private int _count;

        public void Add(int agency, T fact)
        {
            (_byAgency[agency] ??= []).Add(fact);
            _count++;
        }

        public List<T> Flatten(Comparison<T> withinAgency)
        {
            var all = new List<T>(_count);
            foreach (var bucket in _byAgency)
            {
                if (bucket is not null)
                {
                    bucket.Sort(withinAgency);
                    all.AddRange(bucket);
                }
            }

            return all;
        }
    }
}
