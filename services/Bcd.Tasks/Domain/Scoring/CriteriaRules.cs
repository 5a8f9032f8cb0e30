using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;

namespace Bcd.Tasks.Domain.Scoring;

/// <summary>
/// T6: the rules of a criteria version that scoring.proto cannot state. Field-level bounds (code
/// pattern, weight 1–1000, indicator defined) stay in the proto and run in the request validator first;
/// fields those rules already refuse are not reported twice.
/// </summary>
public static class CriteriaRules
{
    /// <summary>Every problem of <paramref name="request"/>'s criteria (empty when none); paths read like "criteria[2].code".</summary>
    public static IReadOnlyList<FieldViolation> Check(PublishCriteriaVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var violations = new List<FieldViolation>();

        // Case-insensitive: officials say "C1" and "c1" alike, and a manual score names its criterion by code.
        var firstIndexByCode = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < request.Criteria.Count; i++)
        {
            var criterion = request.Criteria[i];
            if (criterion.Code.Length > 0 && !firstIndexByCode.TryAdd(criterion.Code, i))
            {
                var first = firstIndexByCode[criterion.Code];
                violations.Add(new FieldViolation($"criteria[{i}].code",
                    $"Criterion code '{criterion.Code}' is already used by criteria[{first}] (codes are compared ignoring case).",
                    $"Mã tiêu chí '{criterion.Code}' trùng với tiêu chí thứ {first + 1} (không phân biệt chữ hoa, chữ thường).")
                { RuleId = "criterion.code_unique" });
            }

            if (UsesPenalty(criterion.Indicator))
            {
                if (criterion.PenaltyCenti <= 0)
                {
                    violations.Add(new FieldViolation($"criteria[{i}].penalty_centi",
                        $"Indicator {criterion.Indicator} needs the points taken off per item (penalty_centi > 0).",
                        "Chỉ số này cần số điểm trừ cho mỗi trường hợp (lớn hơn 0).")
                    { RuleId = "criterion.penalty_required" });
                }
            }
            else if (criterion.Indicator != Indicator.Unspecified && criterion.PenaltyCenti != 0)
            {
                violations.Add(new FieldViolation($"criteria[{i}].penalty_centi",
                    $"Indicator {criterion.Indicator} takes no penalty; penalty_centi must be 0.",
                    "Chỉ số này không áp dụng điểm trừ; số điểm trừ phải bằng 0.")
                { RuleId = "criterion.penalty_unused" });
            }
        }

        return violations;
    }

    /// <summary>As <see cref="Check"/>, throwing INVALID_ARGUMENT with every violation.</summary>
    public static void CheckOrThrow(PublishCriteriaVersionRequest request)
    {
        var violations = Check(request);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>The count indicators: 100 points less the penalty for each item counted.</summary>
    public static bool UsesPenalty(Indicator indicator) =>
        indicator is Indicator.OverdueCount or Indicator.InspectionFindings;
}
