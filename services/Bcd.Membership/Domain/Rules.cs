using Bcd.ServiceDefaults.Errors;

namespace Bcd.Membership.Domain;

/// <summary>Refusals of the membership rules (M1–M6), each naming its rule, in English and Vietnamese.</summary>
internal static class Refuse
{
    public static RuleViolationException Rule(string rule, string reason, string en, string vi, params (string Key, string Value)[] metadata) =>
        new(rule, reason, en, vi, metadata.ToDictionary(m => m.Key, m => m.Value));

    public static InvalidArgumentException Field(string field, string en, string vi) => new(field, en, vi);

    public static PermissionDeniedException Permission(string rule, string reason, string en, string vi) => new(reason, en, vi, rule);
}
