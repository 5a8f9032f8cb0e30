using Bcd.Contracts.Common.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;

namespace Bcd.ServiceDefaults.Validation;

/// <summary>
/// The "six clear" rules (G4, T1) that the .proto cannot state because they need data or a clock:
/// the deadline is a real calendar day strictly after the day of assignment (province time), and the
/// lead and coordinating agencies are agencies the committee knows. The static rules (each field
/// present, lead not also coordinating) stay in directive.proto and run in the request validator first.
/// Shared by the meetings service (conclusions) and the tasks service (tasks), so both refuse alike.
/// </summary>
public static class DirectiveRules
{
    /// <summary>
    /// Every problem of <paramref name="directive"/>, each a field violation whose path starts with
    /// <paramref name="path"/> (e.g. "items[0].directives[2]"; empty for a top-level directive).
    /// Fields the static rules already refuse (empty lead, missing deadline) are not reported twice.
    /// </summary>
    public static IReadOnlyList<FieldViolation> Check(Directive directive, string path, DateOnly today, Func<string, bool> isKnownAgency)
    {
        ArgumentNullException.ThrowIfNull(directive);
        ArgumentNullException.ThrowIfNull(isKnownAgency);
        var prefix = path.Length == 0 ? string.Empty : path + ".";
        var violations = new List<FieldViolation>();

        if (directive.Deadline is { } deadline)
        {
            if (!deadline.IsValid())
            {
                // The proto's CEL rule bounds each part; only the calendar knows 30/02 does not exist.
                violations.Add(new FieldViolation(prefix + "deadline",
                    $"{deadline.Day:00}/{deadline.Month:00}/{deadline.Year} is not a calendar date.",
                    $"Ngày {deadline.Day:00}/{deadline.Month:00}/{deadline.Year} không tồn tại.") { RuleId = "directive.deadline_calendar_date" });
            }
            else if (deadline.ToDateOnly() <= today)
            {
                violations.Add(new FieldViolation(prefix + "deadline",
                    $"The deadline must be after the day of assignment ({today:dd/MM/yyyy}).",
                    $"Thời hạn phải sau ngày giao nhiệm vụ ({today:dd/MM/yyyy}).") { RuleId = "directive.deadline_future" });
            }
        }

        if (directive.LeadAgencyId.Length > 0 && !isKnownAgency(directive.LeadAgencyId))
        {
            violations.Add(UnknownAgency(prefix + "lead_agency_id", directive.LeadAgencyId));
        }

        for (var i = 0; i < directive.CoordinatingAgencyIds.Count; i++)
        {
            var agencyId = directive.CoordinatingAgencyIds[i];
            if (agencyId.Length > 0 && !isKnownAgency(agencyId))
            {
                violations.Add(UnknownAgency($"{prefix}coordinating_agency_ids[{i}]", agencyId));
            }
        }

        return violations;
    }

    /// <summary>As <see cref="Check"/>, throwing INVALID_ARGUMENT with every violation.</summary>
    public static void CheckOrThrow(Directive directive, string path, DateOnly today, Func<string, bool> isKnownAgency)
    {
        var violations = Check(directive, path, today, isKnownAgency);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private static FieldViolation UnknownAgency(string field, string agencyId) =>
        new(field, $"Agency '{agencyId}' is not registered in this committee.",
            $"Cơ quan '{agencyId}' chưa được đăng ký trong Ban Chỉ đạo.") { RuleId = "directive.agency_registered" };
}
