using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Bcd.ServiceDefaults.Errors;
using Buf.Validate;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;
using ProtoValidate;

namespace Bcd.ServiceDefaults.Validation;

/// <summary>
/// Enforces the field rules declared in the .proto files (buf.validate). The common rules our
/// contracts use — string length/pattern/uri, enum membership, int32 bounds, required messages,
/// repeated size/uniqueness/items — are compiled once per message type into plain checks; a type
/// that declares anything else (CEL expressions, oneof or message rules, other rule kinds) is handed
/// whole to the ProtoValidate runtime. Measured here: ProtoValidate's interpreter took 50–200 µs per
/// request, the compiled checks about 1 µs; a differential test keeps the two in agreement.
/// </summary>
public sealed class RequestValidator(IValidator protoValidate)
{
    private readonly ConcurrentDictionary<MessageDescriptor, Plan?> _plans = new();

    /// <summary>Returns every violation (empty when valid); field paths read like "decision.number" or "scopes[1]".</summary>
    public IReadOnlyList<FieldViolation> Validate(IMessage message)
    {
        var plan = PlanFor(message.Descriptor);
        if (plan is null)
        {
            return ValidateWithRuntime(message);
        }

        List<FieldViolation>? violations = null;
        plan.Check(message, string.Empty, ref violations);
        return violations ?? (IReadOnlyList<FieldViolation>)[];
    }

    /// <summary>Validates and throws INVALID_ARGUMENT naming every bad field.</summary>
    public void ValidateOrThrow(IMessage message)
    {
        var violations = Validate(message);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>Whether <paramref name="descriptor"/> is checked by compiled rules (false: by ProtoValidate).</summary>
    public bool IsCompiled(MessageDescriptor descriptor) => PlanFor(descriptor) is not null;

    /// <summary>The same rules checked by the ProtoValidate runtime (the reference the compiled checks are tested against).</summary>
    public IReadOnlyList<FieldViolation> ValidateWithRuntime(IMessage message) =>
        protoValidate.Validate(message, false).Violations
            .Select(v => new FieldViolation(FieldPath(v), v.Message, Vietnamese(v.RuleId, v.Message)) { RuleId = v.RuleId })
            .ToList();

    private Plan? PlanFor(MessageDescriptor descriptor) => _plans.GetOrAdd(descriptor, d => PlanBuilder.Build(d, []));

    private static string FieldPath(Violation v) =>
        v.Field is null || v.Field.Elements.Count == 0
            ? string.Empty
            : string.Join(".", v.Field.Elements.Select(e =>
                e.SubscriptCase == FieldPathElement.SubscriptOneofCase.Index ? $"{e.FieldName}[{e.Index}]" : e.FieldName));

    // protovalidate's messages are English; officials read Vietnamese.
    internal static string Vietnamese(string ruleId, string english) => ruleId switch
    {
        "required" => "Trường này là bắt buộc.",
        "string.min_len" => "Giá trị quá ngắn hoặc còn trống.",
        "string.max_len" => "Giá trị quá dài.",
        "string.pattern" => "Giá trị không đúng định dạng.",
        "string.uri" or "string.uri_empty" => "Địa chỉ (URI) không hợp lệ.",
        "enum.defined_only" => "Giá trị không thuộc danh mục cho phép.",
        "enum.not_in" or "enum.in" => "Phải chọn một giá trị hợp lệ.",
        "repeated.min_items" => "Cần ít nhất một phần tử.",
        "repeated.max_items" => "Quá nhiều phần tử.",
        "repeated.unique" => "Các phần tử không được trùng nhau.",
        "int32.gte_lte" or "int32.gte" or "int32.lte" => "Giá trị nằm ngoài khoảng cho phép.",
        _ => "Giá trị không hợp lệ: " + english,
    };

    /// <summary>The compiled checks of one message type.</summary>
    private sealed class Plan(IReadOnlyList<FieldCheck> fields)
    {
        public void Check(IMessage message, string prefix, ref List<FieldViolation>? violations)
        {
            foreach (var field in fields)
            {
                field.Check(message, prefix, ref violations);
            }
        }
    }

    private delegate void ValueCheck(object value, string path, ref List<FieldViolation>? violations);

    private sealed class FieldCheck(FieldDescriptor field, bool required, ValueCheck? scalar, RepeatedCheck? repeated, Plan? nested)
    {
        public void Check(IMessage message, string prefix, ref List<FieldViolation>? violations)
        {
            var path = prefix + field.Name;
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                repeated?.Check((System.Collections.IList)value, path, nested, ref violations);
                return;
            }

            if (field.FieldType == FieldType.Message)
            {
                if (value is null)
                {
                    if (required)
                    {
                        Add(ref violations, path, "required", "value is required");
                    }

                    return;
                }

                nested?.Check((IMessage)value, path + ".", ref violations);
                return;
            }

            scalar?.Invoke(value, path, ref violations);
        }
    }

    private sealed class RepeatedCheck(ulong? minItems, ulong? maxItems, bool unique, ValueCheck? items)
    {
        public void Check(System.Collections.IList list, string path, Plan? nested, ref List<FieldViolation>? violations)
        {
            if (minItems is { } min && (ulong)list.Count < min)
            {
                Add(ref violations, path, "repeated.min_items", $"value must contain at least {min} item(s)");
            }

            if (maxItems is { } max && (ulong)list.Count > max)
            {
                Add(ref violations, path, "repeated.max_items", $"value must contain no more than {max} item(s)");
            }

            if (unique && list.Cast<object>().Distinct().Count() != list.Count)
            {
                Add(ref violations, path, "repeated.unique", "repeated value must contain unique items");
            }

            for (var i = 0; i < list.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (nested is not null && list[i] is IMessage item)
                {
                    nested.Check(item, itemPath + ".", ref violations);
                }
                else
                {
                    items?.Invoke(list[i]!, itemPath, ref violations);
                }
            }
        }
    }

    private static void Add(ref List<FieldViolation>? violations, string path, string ruleId, string message) =>
        (violations ??= []).Add(new FieldViolation(path, message, Vietnamese(ruleId, message)) { RuleId = ruleId });

    /// <summary>Reads the declared rules; returns null for a type (or nested type) it cannot compile exactly.</summary>
    private static class PlanBuilder
    {
        public static Plan? Build(MessageDescriptor descriptor, HashSet<MessageDescriptor> visiting)
        {
            if (!visiting.Add(descriptor))
            {
                return null; // Recursive types go to the runtime.
            }

            try
            {
                if (descriptor.GetOptions()?.HasExtension(ValidateExtensions.Message) == true ||
                    descriptor.Oneofs.Any(o => o.GetOptions()?.HasExtension(ValidateExtensions.Oneof) == true))
                {
                    return null;
                }

                var checks = new List<FieldCheck>();
                foreach (var field in descriptor.Fields.InFieldNumberOrder())
                {
                    var rules = field.GetOptions()?.GetExtension(ValidateExtensions.Field);
                    if (field.IsMap)
                    {
                        if (rules is not null)
                        {
                            return null;
                        }

                        continue;
                    }

                    Plan? nested = null;
                    if (field.FieldType == FieldType.Message)
                    {
                        nested = Build(field.MessageType, visiting);
                        if (nested is null)
                        {
                            return null;
                        }
                    }

                    if (rules is null)
                    {
                        if (nested is not null)
                        {
                            checks.Add(new FieldCheck(field, false, null, field.IsRepeated ? new RepeatedCheck(null, null, false, null) : null, nested));
                        }

                        continue;
                    }

                    if (rules.Cel.Count > 0 || rules.HasIgnore)
                    {
                        return null;
                    }

                    var required = rules.HasRequired && rules.Required;
                    if (required && (field.FieldType != FieldType.Message || field.IsRepeated))
                    {
                        return null;
                    }

                    if (field.IsRepeated)
                    {
                        if (rules.TypeCase is not (FieldRules.TypeOneofCase.Repeated or FieldRules.TypeOneofCase.None))
                        {
                            return null;
                        }

                        var repeatedRules = rules.Repeated;
                        ValueCheck? items = null;
                        if (repeatedRules?.Items is { } itemRules)
                        {
                            if (itemRules.Cel.Count > 0 || itemRules.HasIgnore || itemRules.HasRequired)
                            {
                                return null;
                            }

                            items = Scalar(field, itemRules);
                            if (items is null && itemRules.TypeCase != FieldRules.TypeOneofCase.None)
                            {
                                return null;
                            }
                        }

                        if (repeatedRules is not null && !OnlyKnown(repeatedRules, r => { r.ClearMinItems(); r.ClearMaxItems(); r.ClearUnique(); r.Items = null; }))
                        {
                            return null;
                        }

                        checks.Add(new FieldCheck(field, false, null, new RepeatedCheck(
                            repeatedRules?.HasMinItems == true ? repeatedRules.MinItems : null,
                            repeatedRules?.HasMaxItems == true ? repeatedRules.MaxItems : null,
                            repeatedRules?.Unique == true, items), nested));
                        continue;
                    }

                    ValueCheck? scalar = null;
                    if (rules.TypeCase != FieldRules.TypeOneofCase.None)
                    {
                        scalar = Scalar(field, rules);
                        if (scalar is null)
                        {
                            return null;
                        }
                    }

                    // Proto3 "optional" scalars are checked only when set; the contracts use none, so hand them over.
                    if (field.HasPresence && field.FieldType != FieldType.Message)
                    {
                        return null;
                    }

                    checks.Add(new FieldCheck(field, required, scalar, null, nested));
                }

                return new Plan(checks);
            }
            finally
            {
                visiting.Remove(descriptor);
            }
        }

        private static ValueCheck? Scalar(FieldDescriptor field, FieldRules rules) => rules.TypeCase switch
        {
            FieldRules.TypeOneofCase.String when field.FieldType == FieldType.String => StringCheck(rules.String),
            FieldRules.TypeOneofCase.Enum when field.FieldType == FieldType.Enum => EnumCheck(rules.Enum, field.EnumType),
            FieldRules.TypeOneofCase.Int32 when field.FieldType == FieldType.Int32 => Int32Check(rules.Int32),
            _ => null,
        };

        private static ValueCheck? StringCheck(StringRules rules)
        {
            if (!OnlyKnown(rules, r => { r.ClearMinLen(); r.ClearMaxLen(); r.ClearPattern(); r.ClearUri(); }))
            {
                return null;
            }

            ulong? min = rules.HasMinLen ? rules.MinLen : null;
            ulong? max = rules.HasMaxLen ? rules.MaxLen : null;
            var pattern = rules.HasPattern ? new Regex(rules.Pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled) : null;
            var uri = rules.WellKnownCase == StringRules.WellKnownOneofCase.Uri && rules.Uri;
            return (object value, string path, ref List<FieldViolation>? violations) =>
            {
                var text = (string)value;
                if (min is not null || max is not null)
                {
                    // Lengths count code points, as protovalidate's size() does.
                    var length = (ulong)text.EnumerateRunes().Count();
                    if (length < min)
                    {
                        Add(ref violations, path, "string.min_len", $"value length must be at least {min} characters");
                    }

                    if (length > max)
                    {
                        Add(ref violations, path, "string.max_len", $"value length must be at most {max} characters");
                    }
                }

                if (pattern is not null && !pattern.IsMatch(text))
                {
                    Add(ref violations, path, "string.pattern", $"value does not match regex pattern `{pattern}`");
                }

                if (uri)
                {
                    if (text.Length == 0)
                    {
                        Add(ref violations, path, "string.uri_empty", "value is empty, which is not a valid URI");
                    }
                    else if (!IsUri(text))
                    {
                        Add(ref violations, path, "string.uri", "value must be a valid URI");
                    }
                }
            };
        }

        private static ValueCheck? EnumCheck(EnumRules rules, EnumDescriptor type)
        {
            if (!OnlyKnown(rules, r => { r.ClearDefinedOnly(); r.In.Clear(); r.NotIn.Clear(); }))
            {
                return null;
            }

            var definedOnly = rules.DefinedOnly;
            var defined = type.Values.Select(v => v.Number).ToHashSet();
            var allowed = rules.In.Count > 0 ? rules.In.ToHashSet() : null;
            var refused = rules.NotIn.ToHashSet();
            var inText = "[" + string.Join(", ", rules.In) + "]";
            var notInText = "[" + string.Join(", ", rules.NotIn) + "]";
            return (object value, string path, ref List<FieldViolation>? violations) =>
            {
                var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                if (definedOnly && !defined.Contains(number))
                {
                    Add(ref violations, path, "enum.defined_only", "value must be one of the defined enum values");
                }

                if (allowed is not null && !allowed.Contains(number))
                {
                    Add(ref violations, path, "enum.in", $"value must be in list {inText}");
                }

                if (refused.Contains(number))
                {
                    Add(ref violations, path, "enum.not_in", $"value must not be in list {notInText}");
                }
            };
        }

        private static ValueCheck? Int32Check(Int32Rules rules)
        {
            // Only inclusive bounds; anything else (gt, lt, const, in) goes to the runtime.
            if (!OnlyKnown(rules, r => { r.ClearGte(); r.ClearLte(); }))
            {
                return null;
            }

            int? gte = rules.HasGte ? rules.Gte : null;
            int? lte = rules.HasLte ? rules.Lte : null;
            if (gte is not null && lte is not null && lte < gte)
            {
                return null; // An exclusive range: the runtime's semantics.
            }

            return (object value, string path, ref List<FieldViolation>? violations) =>
            {
                var number = (int)value;
                if (gte is not null && lte is not null)
                {
                    if (number < gte || number > lte)
                    {
                        Add(ref violations, path, "int32.gte_lte", $"value must be greater than or equal to {gte} and less than or equal to {lte}");
                    }
                }
                else if (gte is not null && number < gte)
                {
                    Add(ref violations, path, "int32.gte", $"value must be greater than or equal to {gte}");
                }
                else if (lte is not null && number > lte)
                {
                    Add(ref violations, path, "int32.lte", $"value must be less than or equal to {lte}");
                }
            };
        }

        /// <summary>True when nothing but the rules <paramref name="clearKnown"/> removes is set.</summary>
        private static bool OnlyKnown<T>(T rules, Action<T> clearKnown) where T : IMessage<T>, new()
        {
            var rest = rules.Clone();
            clearKnown(rest);
            return rest.Equals(new T());
        }

        // RFC 3986 absolute URI, as protovalidate's isUri() reads it (System.Uri is more lenient: it takes
        // "/abs/path" as a file URI and non-ASCII paths).
        private const string Unreserved = "-A-Za-z0-9._~"; // "-" first: it opens every character class below.
        private const string SubDelims = "!$&'()*+,;=";
        private const string Pct = "%[0-9A-Fa-f]{2}";
        private static readonly string PChar = $"(?:[{Unreserved}{SubDelims}:@]|{Pct})";
        private static readonly Regex UriPattern = new(
            "^[A-Za-z][A-Za-z0-9+.-]*:" +
            "(?:" +
            $"//(?:(?:[{Unreserved}{SubDelims}:]|{Pct})*@)?" +
            $"(?:\\[[{Unreserved}0-9A-Fa-f:.vV{SubDelims}]+\\]|(?:[{Unreserved}{SubDelims}]|{Pct})*)" +
            "(?::[0-9]*)?" +
            $"(?:/{PChar}*)*" +
            $"|/(?:{PChar}+(?:/{PChar}*)*)?" +
            $"|{PChar}+(?:/{PChar}*)*" +
            "|" +
            ")" +
            $"(?:\\?(?:{PChar}|[/?])*)?" +
            $"(?:#(?:{PChar}|[/?])*)?$",
            RegexOptions.CultureInvariant | RegexOptions.Compiled);

        private static bool IsUri(string text) => UriPattern.IsMatch(text);
    }
}
