using System.Text;
using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Bcd.ServiceDefaults.Validation;
using Bcd.Tasks.Domain.Import;
using ProtoValidate;

namespace Bcd.Tasks.Tests.Domain.Import;

/// <summary>
/// T1, T2: a CSV file of tasks is read into six-clear directives; every problem of every row is named by the
/// physical line where its record starts and by its field, so the caller can refuse the whole file at once.
/// </summary>
public sealed class TaskCsvImportTests
{
    private static readonly RequestValidator Validator = new(new Validator(new ValidatorOptions { PreLoadDescriptors = false }));
    private static readonly DateOnly Today = new(2027, 1, 15);
    private static readonly AssigningAuthority Head = new() { PersonId = "p-truong-ban", ActingAs = "HEAD" };
    private static readonly HashSet<string> Agencies = ["so-khcn", "so-noi-vu", "so-tai-chinh", "cong-an-tinh"];
    private static readonly HashSet<string> Groups = ["tct-chuyen-doi-so", "tct-de-an-06"];

    private const string Header = "work,lead_agency_id,coordinating_agency_ids,deadline,expected_result,working_group_id,source,source_ref";

    private static TaskImportResult Parse(string csv, AssigningAuthority? authority = null, int maxRows = 5000) =>
        TaskCsvImport.Parse(csv, authority ?? Head, Today, Agencies.Contains, Groups.Contains, Validator, maxRows);

    private static string Csv(params string[] rows) => string.Join("\n", [Header, .. rows]) + "\n";

    private static string Row(
        string work = "Triển khai nền tảng số",
        string lead = "so-khcn",
        string coordinating = "so-noi-vu",
        string deadline = "2027-03-31",
        string result = "Báo cáo kết quả",
        string group = "",
        string source = "",
        string sourceRef = "") =>
        string.Join(",", work, lead, coordinating, deadline, result, group, source, sourceRef);

    private static string[] Fields(TaskImportResult result) => [.. result.Violations.Select(v => v.Field)];

    [Fact]
    public void T2_CsvImportOfValidRowsReturnsEveryRowWithItsSource()
    {
        var result = Parse(Csv(
            Row(work: "Rà soát thủ tục hành chính", coordinating: " so-noi-vu ; ; so-tai-chinh ", group: "tct-de-an-06"),
            Row(work: "Xây dựng kho dữ liệu", source: "work_programme", sourceRef: "2027/III.2"),
            Row(work: "Báo cáo tháng", lead: "so-noi-vu", coordinating: "", source: "MONTHLY_PLAN", sourceRef: "2027-03")));

        Assert.True(result.IsValid, string.Join("; ", Fields(result)));
        Assert.Equal([2, 3, 4], result.Rows.Select(r => r.Line));

        var first = result.Rows[0];
        Assert.Equal("Rà soát thủ tục hành chính", first.Directive.Work);
        Assert.Equal("so-khcn", first.Directive.LeadAgencyId);
        Assert.Equal(["so-noi-vu", "so-tai-chinh"], first.Directive.CoordinatingAgencyIds);
        Assert.Equal(new DateOnly(2027, 3, 31), first.Directive.Deadline.ToDateOnly());
        Assert.Equal("Báo cáo kết quả", first.Directive.ExpectedResult);
        Assert.Equal(Head, first.Directive.AssigningAuthority);
        Assert.NotSame(Head, first.Directive.AssigningAuthority);
        Assert.Equal("tct-de-an-06", first.WorkingGroupId);
        Assert.Equal(TaskSource.SourceOneofCase.Direction, first.Source.SourceCase);

        Assert.Equal(new WorkProgrammeSource { Year = 2027, ItemCode = "III.2" }, result.Rows[1].Source.WorkProgramme);
        Assert.Equal(new MonthlyPlanSource { Year = 2027, Month = 3 }, result.Rows[2].Source.MonthlyPlan);
        Assert.Empty(result.Rows[2].Directive.CoordinatingAgencyIds);
        Assert.Same(result.Rows, result.RowsOrThrow());
    }

    [Fact]
    public void T2_CsvImportWithOneBadRowReportsItsLineAndField()
    {
        var result = Parse(Csv(Row(), Row(work: "Việc thứ hai", lead: ""), Row(work: "Việc thứ ba")));

        Assert.False(result.IsValid);
        var violation = Assert.Single(result.Violations);
        Assert.Equal("rows[3].lead_agency_id", violation.Field);
        Assert.False(string.IsNullOrEmpty(violation.DescriptionVi));
        Assert.Equal([2, 4], result.Rows.Select(r => r.Line));
        var refused = Assert.Throws<InvalidArgumentException>(() => result.RowsOrThrow());
        Assert.Equal(["rows[3].lead_agency_id"], refused.Violations.Select(v => v.Field));
    }

    [Fact]
    public void T2_EveryProblemOfEveryRowIsReportedInLineOrder()
    {
        var result = Parse(Csv(
            Row(work: "", deadline: "2027-13-01"),
            Row(),
            Row(work: "Việc khác", result: "", group: "tct-khong-co")));

        Assert.Equal(["rows[2].deadline", "rows[2].work", "rows[4].expected_result", "rows[4].working_group_id"], Fields(result).Order());
        Assert.Equal(["rows[2]", "rows[2]", "rows[4]", "rows[4]"], Fields(result).Select(f => f[..f.IndexOf('.', StringComparison.Ordinal)]));
        Assert.Equal([3], result.Rows.Select(r => r.Line));
    }

    public static TheoryData<string, string> MissingClears => new()
    {
        { "work", "rows[2].work" },
        { "lead_agency_id", "rows[2].lead_agency_id" },
        { "coordinating_agency_ids", "rows[1].coordinating_agency_ids" },
        { "deadline", "rows[2].deadline" },
        { "expected_result", "rows[2].expected_result" },
        { "assigning_authority.person_id", "rows[2].assigning_authority.person_id" },
        { "assigning_authority.acting_as", "rows[2].assigning_authority.acting_as" },
    };

    [Theory]
    [MemberData(nameof(MissingClears))]
    public void T1_EachMissingClearInACsvRowIsNamedByField(string missing, string field)
    {
        var csv = missing switch
        {
            "work" => Csv(Row(work: "")),
            "lead_agency_id" => Csv(Row(lead: "")),
            // Zero coordinating agencies is a clear answer; a file without the column gives none.
            "coordinating_agency_ids" => "work,lead_agency_id,deadline,expected_result\nViệc,so-khcn,2027-03-31,Báo cáo\n",
            "deadline" => Csv(Row(deadline: "")),
            "expected_result" => Csv(Row(result: "")),
            _ => Csv(Row()),
        };
        var authority = missing switch
        {
            "assigning_authority.person_id" => new AssigningAuthority { ActingAs = "HEAD" },
            "assigning_authority.acting_as" => new AssigningAuthority { PersonId = "p-truong-ban" },
            _ => Head,
        };

        var result = Parse(csv, authority);

        Assert.Equal(field, Assert.Single(result.Violations).Field);
        Assert.Empty(result.Rows);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")] // Excel on Windows
    public void T1_QuotedMultiLineFieldShiftsTheLineNumbersOfLaterRows(string newLine)
    {
        var csv = string.Join(newLine,
            Header,
            Row(work: "\"Việc một dòng, có dấu phẩy\""),
            Row(work: $"\"Việc nhiều dòng:{newLine}- bước 1{newLine}- bước 2, \"\"gấp\"\"\""),
            Row(lead: "so-khong-co"),
            Row(work: "Việc cuối"));

        var result = Parse(csv);

        // Header 1, row 2, the three-line record 3–5, then 6 and 7.
        Assert.Equal(["rows[6].lead_agency_id"], Fields(result));
        Assert.Equal([2, 3, 7], result.Rows.Select(r => r.Line));
        Assert.Equal($"Việc nhiều dòng:{newLine}- bước 1{newLine}- bước 2, \"gấp\"", result.Rows[1].Directive.Work);
        Assert.Equal("Việc cuối", result.Rows[2].Directive.Work);
    }

    [Fact]
    public void T1_CsvWithAByteOrderMarkReadsItsFirstColumn()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Csv(Row()))).ToArray();
        // Protobuf decodes the request's string as UTF-8 and keeps the mark as U+FEFF, as this does.
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Equal('\uFEFF', text[0]);

        var result = Parse(text);

        Assert.True(result.IsValid, string.Join("; ", Fields(result)));
        Assert.Equal("Triển khai nền tảng số", Assert.Single(result.Rows).Directive.Work);
    }

    [Fact]
    public void T1_VietnameseTextSurvivesTheImport()
    {
        const string work = "Đẩy mạnh ứng dụng dữ liệu dân cư, định danh và xác thực điện tử (Đề án 06) tại xã, phường";
        const string result = "Báo cáo \"kết quả\" gửi Thường trực BCĐ; đề xuất tháo gỡ điểm nghẽn";
        var csv = Csv(Row(work: $"\"{work}\"", result: "\"Báo cáo \"\"kết quả\"\" gửi Thường trực BCĐ; đề xuất tháo gỡ điểm nghẽn\""));

        var row = Assert.Single(Parse(csv).Rows);

        Assert.Equal(work, row.Directive.Work);
        Assert.Equal(result, row.Directive.ExpectedResult);
    }

    [Theory]
    [InlineData("31/03/2027")]
    [InlineData("2027-03-31")]
    [InlineData(" 31/03/2027 ")]
    public void T1_DeadlineIsReadInIsoOrDayMonthYearForm(string deadline)
    {
        var row = Assert.Single(Parse(Csv(Row(deadline: deadline))).Rows);

        Assert.Equal(new DateOnly(2027, 3, 31), row.Directive.Deadline.ToDateOnly());
    }

    [Theory]
    [InlineData("03/31/2027")]
    [InlineData("31-03-2027")]
    [InlineData("2027/03/31")]
    [InlineData("30/02/2027")]
    [InlineData("31/3/2027")]
    [InlineData("ngày mai")]
    public void T1_DeadlineInAnyOtherFormIsNamedOnce(string deadline)
    {
        var result = Parse(Csv(Row(deadline: deadline)));

        var violation = Assert.Single(result.Violations);
        Assert.Equal(("rows[2].deadline", "import.deadline_format"), (violation.Field, violation.RuleId));
        Assert.Contains(deadline, violation.DescriptionVi, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2027-01-15", false)] // the day of assignment itself
    [InlineData("14/01/2027", false)]
    [InlineData("16/01/2027", true)]
    public void T1_DeadlineMustBeAfterTheDayOfImport(string deadline, bool valid)
    {
        var result = Parse(Csv(Row(deadline: deadline)));

        if (valid)
        {
            Assert.True(result.IsValid);
        }
        else
        {
            var violation = Assert.Single(result.Violations);
            Assert.Equal(("rows[2].deadline", "directive.deadline_future"), (violation.Field, violation.RuleId));
        }
    }

    [Fact]
    public void T1_UnknownLeadOrCoordinatingAgencyIsNamed()
    {
        var result = Parse(Csv(Row(), Row(work: "Việc khác", lead: "so-khong-co", coordinating: "so-noi-vu;ubnd-xa-ao")));

        Assert.Equal(["rows[3].lead_agency_id", "rows[3].coordinating_agency_ids[1]"], Fields(result));
        Assert.All(result.Violations, v => Assert.Equal("directive.agency_registered", v.RuleId));
    }

    [Fact]
    public void T1_LeadAgencyCannotAlsoCoordinate()
    {
        var violation = Assert.Single(Parse(Csv(Row(coordinating: "so-noi-vu;so-khcn"))).Violations);

        Assert.Equal(("rows[2]", "directive.lead_not_coordinating"), (violation.Field, violation.RuleId));
    }

    [Fact]
    public void T2_DuplicateRowIsReportedOnTheLaterLine()
    {
        var result = Parse(Csv(
            Row(work: "Rà soát   thủ tục"),
            Row(work: "Rà soát thủ tục", lead: "so-noi-vu", coordinating: "so-khcn"),
            Row(work: "rà soát thủ tục", deadline: "31/03/2027", coordinating: "so-tai-chinh"),
            Row(work: "Rà soát thủ tục", deadline: "2027-04-30")));

        var violation = Assert.Single(result.Violations);
        Assert.Equal(("rows[4]", "import.duplicate_row"), (violation.Field, violation.RuleId));
        Assert.Contains("line 2", violation.Description, StringComparison.Ordinal);
        Assert.Contains("dòng 2", violation.DescriptionVi, StringComparison.Ordinal);
        Assert.Equal([2, 3, 5], result.Rows.Select(r => r.Line));
    }

    [Fact]
    public void T2_DuplicateRowIsFoundWhateverTheUnicodeFormOfItsDiacritics()
    {
        const string composed = "Chuyển đổi số";
        var decomposed = composed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(composed, decomposed);

        var result = Parse(Csv(Row(work: composed), Row(work: decomposed)));

        Assert.Equal(["rows[3]"], Fields(result));
    }

    [Theory]
    [InlineData("work_programme", "2027/", "rows[2].source_ref", "string.min_len")]
    [InlineData("work_programme", "1999/III.2", "rows[2].source_ref", "int32.gte_lte")]
    [InlineData("work_programme", "III.2", "rows[2].source_ref", "import.source_ref_format")]
    [InlineData("work_programme", "", "rows[2].source_ref", "import.source_ref_format")]
    [InlineData("monthly_plan", "2027-13", "rows[2].source_ref", "int32.gte_lte")]
    [InlineData("monthly_plan", "03/2027", "rows[2].source_ref", "import.source_ref_format")]
    [InlineData("direction", "2027/III.2", "rows[2].source_ref", "import.source_ref_unexpected")]
    [InlineData("conclusion", "", "rows[2].source", "import.source_unknown")]
    [InlineData("chỉ đạo", "", "rows[2].source", "import.source_unknown")]
    public void T2_SourceAndItsReferenceAreChecked(string source, string sourceRef, string field, string ruleId)
    {
        var violation = Assert.Single(Parse(Csv(Row(source: source, sourceRef: sourceRef))).Violations);

        Assert.Equal((field, ruleId), (violation.Field, violation.RuleId));
    }

    [Fact]
    public void T2_SourceReferenceViolationSaysWhichPartIsWrong()
    {
        var violation = Assert.Single(Parse(Csv(Row(source: "work_programme", sourceRef: "1999/III.2"))).Violations);

        Assert.StartsWith("work_programme.year: ", violation.Description, StringComparison.Ordinal);
        Assert.StartsWith("work_programme.year: ", violation.DescriptionVi, StringComparison.Ordinal);
    }

    [Fact]
    public void T5_UnknownWorkingGroupIsNamed()
    {
        var violation = Assert.Single(Parse(Csv(Row(group: "tct-khong-co"))).Violations);

        Assert.Equal(("rows[2].working_group_id", "import.working_group_unknown"), (violation.Field, violation.RuleId));
    }

    [Fact]
    public void T2_HeaderNamesAreCaseInsensitiveAndOptionalColumnsMayBeLeftOut()
    {
        var csv = " Work ,LEAD_AGENCY_ID,Coordinating_Agency_Ids,Deadline,Expected_Result\nViệc,so-khcn,,2027-03-31,Báo cáo\n";

        var row = Assert.Single(Parse(csv).Rows);

        Assert.Equal(("Việc", ""), (row.Directive.Work, row.WorkingGroupId));
        Assert.Equal(TaskSource.SourceOneofCase.Direction, row.Source.SourceCase);
    }

    [Fact]
    public void T2_UnknownRepeatedAndMissingColumnsAreEachNamedOnce()
    {
        var csv = "work,lead,deadline,expected_result,work,coordinating_agency_ids\nViệc,so-khcn,2027-03-31,Báo cáo,Việc,\n";

        var result = Parse(csv);

        Assert.Equal(["rows[1].lead", "rows[1].work", "rows[1].lead_agency_id"], Fields(result));
        Assert.Equal(["import.unknown_column", "import.duplicate_column", "import.missing_column"], result.Violations.Select(v => v.RuleId));
        Assert.Empty(result.Rows);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n")]
    [InlineData(Header + "\n")]
    [InlineData(Header + "\n,,,,,,,\n\n")]
    public void T2_EmptyFileOrHeaderOnlyIsRefused(string csv)
    {
        var violation = Assert.Single(Parse(csv).Violations);

        Assert.Equal("csv", violation.Field);
        Assert.False(string.IsNullOrEmpty(violation.DescriptionVi));
    }

    [Fact]
    public void T2_MoreRowsThanTheLimitIsOneViolation()
    {
        var rows = Enumerable.Range(1, 4).Select(i => Row(work: $"Việc {i}", lead: i == 2 ? "" : "so-khcn")).ToArray();

        var atLimit = Parse(Csv(rows[..3]), maxRows: 3);
        var over = Parse(Csv(rows), maxRows: 3);

        Assert.Equal(["rows[3].lead_agency_id"], Fields(atLimit));
        var violation = Assert.Single(over.Violations);
        Assert.Equal(("csv", "import.too_many_rows"), (violation.Field, violation.RuleId));
        Assert.Empty(over.Rows);
    }

    [Fact]
    public void T2_BlankRowsAreSkippedAndKeepLaterLineNumbers()
    {
        var result = Parse(Csv(Row(), ",,,,,,,", "", Row(work: "Việc khác", lead: "")));

        Assert.Equal(["rows[5].lead_agency_id"], Fields(result));
    }

    [Fact]
    public void T2_StrayQuoteIsReportedOnItsLine()
    {
        var result = Parse(Csv(Row(), Row(work: "Việc \"gấp\" cần làm"), Row(work: "Việc cuối")));

        var violation = Assert.Single(result.Violations);
        Assert.Equal(("rows[3]", "import.malformed_quoting"), (violation.Field, violation.RuleId));
        Assert.Equal([2, 4], result.Rows.Select(r => r.Line));
    }

    [Fact]
    public void T2_ValueBeyondTheHeaderIsReportedNotDropped()
    {
        var result = Parse(Csv(Row() + ",Ghi chú thêm"));

        Assert.Contains(result.Violations, v => v is { Field: "rows[2]", RuleId: "import.value_without_column" });
        Assert.Empty(result.Rows);
    }
}
