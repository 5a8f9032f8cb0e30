using System.Globalization;
using System.Text;
using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Bcd.ServiceDefaults.Validation;
using CsvHelper;

namespace Bcd.Tasks.Domain.Import;

/// <summary>One task read from the file: the line where its record starts, its six-clear directive, source and working group.</summary>
public sealed record ImportedTask(int Line, Directive Directive, TaskSource Source, string WorkingGroupId);

/// <summary>
/// What <see cref="TaskCsvImport.Parse"/> read. <see cref="Rows"/> holds only the rows without a problem of
/// their own; the import is all or nothing, so a caller creates them only when <see cref="IsValid"/>.
/// </summary>
public sealed record TaskImportResult(IReadOnlyList<ImportedTask> Rows, IReadOnlyList<FieldViolation> Violations)
{
    public bool IsValid => Violations.Count == 0;

    /// <summary>Every row when the whole file is valid; otherwise INVALID_ARGUMENT naming every bad line and field.</summary>
    public IReadOnlyList<ImportedTask> RowsOrThrow() => IsValid ? Rows : throw new InvalidArgumentException(Violations);
}

/// <summary>
/// T1, T2: reads the CSV of ImportTasksRequest into six-clear directives, reporting every problem of every
/// row at once, as "rows[line].field" with the physical line where the record starts (the header is line 1).
/// The rules are those of a single assignment — directive.proto and TaskSource through the request validator,
/// then <see cref="DirectiveRules"/> — plus what only a file can get wrong (columns, formats, duplicates).
/// Pure: the caller supplies the clock, the committee's agencies and working groups, and creates the tasks.
/// </summary>
public static class TaskCsvImport
{
    public const string Work = "work";
    public const string LeadAgencyId = "lead_agency_id";
    public const string CoordinatingAgencyIds = "coordinating_agency_ids";
    public const string Deadline = "deadline";
    public const string ExpectedResult = "expected_result";
    public const string WorkingGroupId = "working_group_id";
    public const string Source = "source";
    public const string SourceRef = "source_ref";

    /// <summary>The columns in their documented order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        [Work, LeadAgencyId, CoordinatingAgencyIds, Deadline, ExpectedResult, WorkingGroupId, Source, SourceRef];

    // The five clears the file states must have a column (even when coordinating agencies are blank), so
    // that a template missing one is refused instead of silently assigning tasks without it; the sixth,
    // the assigning authority, is the caller. Working group and source have defaults.
    private static readonly HashSet<string> RequiredColumns = [Work, LeadAgencyId, CoordinatingAgencyIds, Deadline, ExpectedResult];

    private static readonly string[] DeadlineFormats = ["yyyy-MM-dd", "dd/MM/yyyy"];

    public static TaskImportResult Parse(
        string csv,
        AssigningAuthority authority,
        DateOnly today,
        Func<string, bool> isKnownAgency,
        Func<string, bool> isKnownGroup,
        RequestValidator validator,
        int maxRows = 5000)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(isKnownAgency);
        ArgumentNullException.ThrowIfNull(isKnownGroup);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);

        var malformed = new List<CsvMalformedRecord>();
        var options = new CsvReaderOptions
        {
            // Never detected: a file whose first lines hold many coordinating agencies ("a;b;c") would
            // otherwise be read as semicolon-separated.
            Separator = ',',
            TrackLineNumbers = true,
            OnMalformedRecord = malformed.Add,
        };

        try
        {
            using var reader = CsvReader.FromText(csv, options);
            var context = new RowContext(authority, today, isKnownAgency, isKnownGroup, validator);
            return Read(reader, context, malformed, maxRows);
        }
        catch (CsvFormatException e)
        {
            return Refused(FileViolation("import.unreadable",
                $"The file cannot be read as CSV: {e.Message}",
                "Không đọc được tệp CSV: tệp sai định dạng."));
        }
    }

    private static TaskImportResult Read(CsvReader reader, RowContext context, List<CsvMalformedRecord> malformed, int maxRows)
    {
        var header = reader.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.All(h => h.Length == 0))
        {
            return Refused(FileViolation("import.empty",
                "The file is empty: it needs a header row and at least one task.",
                "Tệp trống: cần có dòng tiêu đề và ít nhất một nhiệm vụ."));
        }

        var violations = new List<(int Line, FieldViolation Violation)>();
        var columnIndex = ReadHeader(header, violations);
        if (violations.Count > 0)
        {
            // Without the right columns every row would repeat the same complaint.
            return Refused([.. violations.Select(v => v.Violation)]);
        }

        var rows = new List<ImportedTask>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.GetString(i);
            }

            // Spreadsheets export trailing empty rows as ",,,,,,,"; they are not tasks.
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (++count > maxRows)
            {
                return Refused(FileViolation("import.too_many_rows",
                    $"The file has more than {maxRows} tasks; split it into several files.",
                    $"Tệp có nhiều hơn {maxRows} nhiệm vụ; vui lòng chia thành nhiều tệp."));
            }

            var line = checked((int)reader.LineNumber);
            var rowViolations = new List<FieldViolation>();
            var task = ReadRow(line, fields, columnIndex, header.Length, context, firstLineOf, rowViolations);
            violations.AddRange(rowViolations.Select(v => (line, v)));
            if (rowViolations.Count == 0)
            {
                rows.Add(task);
            }
        }

        if (count == 0)
        {
            return Refused(FileViolation("import.no_rows",
                "The file has a header row but no task.",
                "Tệp chỉ có dòng tiêu đề, chưa có nhiệm vụ nào."));
        }

        // The reader reports bad quoting as it scans, apart from the records it returns.
        foreach (var record in malformed)
        {
            var line = checked((int)record.LineNumber);
            violations.Add((line, new FieldViolation(RowPath(line),
                $"Malformed quoting ({record.Reason}): a field that contains a quote must be enclosed in quotes, with inner quotes doubled.",
                "Dấu ngoặc kép sai quy cách: ô có dấu ngoặc kép phải được đặt trong ngoặc kép và nhân đôi dấu ngoặc kép bên trong.")
            { RuleId = "import.malformed_quoting" }));
        }

        var badLines = violations.Select(v => v.Line).ToHashSet();
        return new TaskImportResult(
            [.. rows.Where(r => !badLines.Contains(r.Line))],
            [.. violations.OrderBy(v => v.Line).Select(v => v.Violation)]);
    }

    /// <summary>Maps each known column to its index; unknown, repeated or missing columns are violations on line 1.</summary>
    private static Dictionary<string, int> ReadHeader(string[] header, List<(int, FieldViolation)> violations)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i];
            if (name.Length == 0)
            {
                continue; // Spreadsheets add unnamed trailing columns; a value under one is reported per row.
            }

            if (!Columns.Contains(name))
            {
                violations.Add((1, new FieldViolation(RowPath(1, name),
                    $"Unknown column '{name}'. The columns are: {string.Join(", ", Columns)}.",
                    $"Cột '{name}' không hợp lệ. Các cột gồm: {string.Join(", ", Columns)}.")
                { RuleId = "import.unknown_column" }));
            }
            else if (!index.TryAdd(name, i))
            {
                violations.Add((1, new FieldViolation(RowPath(1, name),
                    $"Column '{name}' appears more than once.",
                    $"Cột '{name}' bị lặp lại.")
                { RuleId = "import.duplicate_column" }));
            }
        }

        foreach (var name in Columns.Where(c => RequiredColumns.Contains(c) && !index.ContainsKey(c)))
        {
            violations.Add((1, new FieldViolation(RowPath(1, name),
                $"Column '{name}' is missing from the header row.",
                $"Dòng tiêu đề thiếu cột '{name}'.")
            { RuleId = "import.missing_column" }));
        }

        return index;
    }

    private static ImportedTask ReadRow(
        int line,
        string[] fields,
        Dictionary<string, int> columnIndex,
        int headerLength,
        RowContext context,
        Dictionary<string, int> firstLineOf,
        List<FieldViolation> violations)
    {
        var prefix = RowPath(line);
        string Value(string column) =>
            columnIndex.TryGetValue(column, out var i) && i < fields.Length ? fields[i].Trim() : string.Empty;

        var mapped = columnIndex.Values.ToHashSet();
        var stray = Enumerable.Range(0, fields.Length).FirstOrDefault(i => !mapped.Contains(i) && !string.IsNullOrWhiteSpace(fields[i]), -1);
        if (stray >= 0)
        {
            // A value the import would otherwise drop without a word: a shifted column or a comma left unquoted.
            violations.Add(new FieldViolation(prefix,
                $"Column {stray + 1} has a value but no header (the header has {headerLength} columns); is a comma missing its quotes?",
                $"Cột thứ {stray + 1} có giá trị nhưng không có tiêu đề (dòng tiêu đề có {headerLength} cột); có dấu phẩy nào chưa đặt trong ngoặc kép?")
            { RuleId = "import.value_without_column" });
        }

        var directive = new Directive
        {
            Work = Value(Work),
            LeadAgencyId = Value(LeadAgencyId),
            ExpectedResult = Value(ExpectedResult),
            AssigningAuthority = context.Authority.Clone(),
        };
        directive.CoordinatingAgencyIds.Add(Value(CoordinatingAgencyIds)
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

        var deadlineText = Value(Deadline);
        DateOnly? deadline = null;
        if (DateOnly.TryParseExact(deadlineText, DeadlineFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            deadline = parsed;
            directive.Deadline = parsed.ToProtoDate();
        }
        else if (deadlineText.Length > 0)
        {
            violations.Add(new FieldViolation(prefix + "." + Deadline,
                $"'{deadlineText}' is not a date in the form yyyy-MM-dd or dd/MM/yyyy.",
                $"'{deadlineText}' không phải ngày theo dạng yyyy-MM-dd hoặc dd/MM/yyyy.")
            { RuleId = "import.deadline_format" });
        }

        foreach (var violation in context.Validator.Validate(directive))
        {
            // An unreadable deadline is left unset: its "required" would only repeat the format error.
            if (!(violation.Field == Deadline && deadlineText.Length > 0))
            {
                violations.Add(violation with { Field = Join(prefix, violation.Field) });
            }
        }

        violations.AddRange(DirectiveRules.Check(directive, prefix, context.Today, context.IsKnownAgency));

        var source = ReadSource(Value(Source), Value(SourceRef), prefix, violations);
        if (source is not null)
        {
            // Every validated field of a source comes from source_ref; the proto path says which part.
            violations.AddRange(context.Validator.Validate(source).Select(v => v with
            {
                Field = prefix + "." + SourceRef,
                Description = $"{v.Field}: {v.Description}",
                DescriptionVi = $"{v.Field}: {v.DescriptionVi}",
            }));
        }

        var groupId = Value(WorkingGroupId);
        if (groupId.Length > 0 && !context.IsKnownGroup(groupId))
        {
            violations.Add(new FieldViolation(prefix + "." + WorkingGroupId,
                $"Working group '{groupId}' does not exist in this committee.",
                $"Tổ công tác '{groupId}' không thuộc Ban Chỉ đạo.")
            { RuleId = "import.working_group_unknown" });
        }

        if (directive.Work.Length > 0 && directive.LeadAgencyId.Length > 0 && deadline is { } due)
        {
            var key = $"{Normalized(directive.Work)}\n{directive.LeadAgencyId}\n{due:yyyy-MM-dd}";
            if (!firstLineOf.TryAdd(key, line))
            {
                // Creating both would count the same task twice in every summary and score.
                violations.Add(new FieldViolation(prefix,
                    $"Same work, lead agency and deadline as line {firstLineOf[key]}.",
                    $"Trùng nội dung công việc, cơ quan chủ trì và thời hạn với dòng {firstLineOf[key]}.")
                { RuleId = "import.duplicate_row" });
            }
        }

        return new ImportedTask(line, directive, source ?? new TaskSource { Direction = new DirectionSource() }, groupId);
    }

    /// <summary>T2: the source named in the file; null (with a violation) when it cannot be read.</summary>
    private static TaskSource? ReadSource(string kind, string reference, string prefix, List<FieldViolation> violations)
    {
        switch (kind.ToLowerInvariant())
        {
            case "" or "direction":
                if (reference.Length > 0)
                {
                    violations.Add(new FieldViolation(prefix + "." + SourceRef,
                        "source_ref is only for the sources work_programme (year/item_code) and monthly_plan (year-month).",
                        "source_ref chỉ dùng cho nguồn work_programme (năm/mã mục) và monthly_plan (năm-tháng).")
                    { RuleId = "import.source_ref_unexpected" });
                }

                return new TaskSource { Direction = new DirectionSource() };

            case "work_programme":
                var slash = reference.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && TryParseYear(reference[..slash], out var programmeYear))
                {
                    return new TaskSource { WorkProgramme = new WorkProgrammeSource { Year = programmeYear, ItemCode = reference[(slash + 1)..].Trim() } };
                }

                violations.Add(SourceRefFormat(prefix, reference, "year/item_code, e.g. 2027/III.2", "năm/mã mục, ví dụ 2027/III.2"));
                return null;

            case "monthly_plan":
                var dash = reference.IndexOf('-', StringComparison.Ordinal);
                if (dash > 0 && TryParseYear(reference[..dash], out var planYear) &&
                    int.TryParse(reference[(dash + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var month))
                {
                    return new TaskSource { MonthlyPlan = new MonthlyPlanSource { Year = planYear, Month = month } };
                }

                violations.Add(SourceRefFormat(prefix, reference, "year-month, e.g. 2027-03", "năm-tháng, ví dụ 2027-03"));
                return null;

            default:
                violations.Add(new FieldViolation(prefix + "." + Source,
                    $"Unknown source '{kind}': use direction, work_programme or monthly_plan (tasks from conclusions and inspections arrive from those services).",
                    $"Nguồn '{kind}' không hợp lệ: dùng direction, work_programme hoặc monthly_plan (nhiệm vụ từ kết luận và kiểm tra do các dịch vụ đó chuyển sang).")
                { RuleId = "import.source_unknown" });
                return null;
        }
    }

    private static bool TryParseYear(string text, out int year) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out year);

    private static FieldViolation SourceRefFormat(string prefix, string reference, string expected, string expectedVi) =>
        new(prefix + "." + SourceRef,
            $"'{reference}' is not a source reference of the form {expected}.",
            $"'{reference}' không đúng dạng {expectedVi}.")
        { RuleId = "import.source_ref_format" };

    // Duplicates are the same task typed twice: ignore case, spacing and the Unicode form of the
    // diacritics (text pasted from different programs mixes composed and decomposed Vietnamese).
    private static string Normalized(string text) =>
        string.Join(' ', text.Normalize(NormalizationForm.FormC).ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string RowPath(int line) => $"rows[{line}]";

    private static string RowPath(int line, string column) => $"rows[{line}].{column}";

    private static string Join(string prefix, string path) => path.Length == 0 ? prefix : prefix + "." + path;

    private static FieldViolation FileViolation(string ruleId, string description, string descriptionVi) =>
        new("csv", description, descriptionVi) { RuleId = ruleId };

    private static TaskImportResult Refused(params FieldViolation[] violations) => new([], violations);

    private sealed record RowContext(
        AssigningAuthority Authority,
        DateOnly Today,
        Func<string, bool> IsKnownAgency,
        Func<string, bool> IsKnownGroup,
        RequestValidator Validator);
}
