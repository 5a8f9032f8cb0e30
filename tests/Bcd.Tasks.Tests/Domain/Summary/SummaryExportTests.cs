using System.Text;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.Tasks.Domain.Summary;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using Google.Protobuf.WellKnownTypes;

namespace Bcd.Tasks.Tests.Domain.Summary;

/// <summary>
/// T5: the summary goes to the review meetings as a CSV or XLSX file. Both are read back with the same
/// libraries a consumer would use: Vietnamese intact, counts as numbers, both breakdowns present.
/// </summary>
public sealed class SummaryExportTests
{
    private const string Committee = "Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và Đề án 06 tỉnh Bắc Ninh";
    private const string Period = "6 tháng đầu năm 2027";

    private static StatusCounts Counts(int notStarted, int onTime, int overdue, int completedOnTime, int completedLate) => new()
    {
        Total = notStarted + onTime + overdue + completedOnTime + completedLate,
        NotStarted = notStarted,
        InProgressOnTime = onTime,
        InProgressOverdue = overdue,
        CompletedOnTime = completedOnTime,
        CompletedLate = completedLate,
    };

    private static GetStatusSummaryResponse Summary()
    {
        var summary = new GetStatusSummaryResponse
        {
            Total = Counts(2, 1, 3, 4, 1),
            // 30/06/2027 23:59:59.9999999 in the province.
            AsOf = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 6, 30, 16, 59, 59, TimeSpan.Zero).AddTicks(TimeSpan.TicksPerSecond - 1)),
        };
        summary.ByAgency.Add(new SummaryRow { Key = "so-khcn", Name = "Sở Khoa học và Công nghệ", Counts = Counts(1, 1, 2, 3, 0) });
        summary.ByAgency.Add(new SummaryRow { Key = "so-noi-vu", Name = "Sở Nội vụ, tỉnh Bắc Ninh", Counts = Counts(1, 0, 1, 1, 1) });
        summary.ByWorkingGroup.Add(new SummaryRow { Key = "", Name = StatusSummary.NoWorkingGroupName, Counts = Counts(0, 1, 1, 0, 0) });
        summary.ByWorkingGroup.Add(new SummaryRow { Key = "tct-06", Name = "Tổ công tác Đề án 06", Counts = Counts(2, 0, 2, 4, 1) });
        return summary;
    }

    private static List<string[]> ReadCsv(byte[] content)
    {
        using var reader = CsvReader.Create(content, new CsvReaderOptions { HasHeader = false, Separator = ',' });
        var records = new List<string[]>();
        while (reader.Read())
        {
            records.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        }

        return records;
    }

    [Fact]
    public void T5_CsvStartsWithAByteOrderMarkForExcel()
    {
        var content = SummaryExport.ToCsv(Summary(), Committee, Period);

        Assert.Equal(Encoding.UTF8.GetPreamble(), content[..3]);
    }

    [Fact]
    public void T5_CsvReadsBackWithBothBreakdownsAndVietnameseIntact()
    {
        var records = ReadCsv(SummaryExport.ToCsv(Summary(), Committee, Period));

        Assert.All(records, r => Assert.Equal(9, r.Length));
        Assert.Equal(SummaryExport.Title, records[0][0]);
        Assert.Equal(["Ban Chỉ đạo / Committee", Committee], records[1][..2]);
        Assert.Equal(["Kỳ / Period", Period], records[2][..2]);
        Assert.Equal(["Số liệu tính đến / As of", "30/06/2027 23:59"], records[3][..2]);
        Assert.Equal(
            ["Phân loại / Breakdown", "Mã / Code", "Tên / Name", "Tổng số / Total", "Chưa thực hiện / Not started",
             "Đang thực hiện trong hạn / In progress on time", "Đang thực hiện quá hạn / In progress overdue",
             "Hoàn thành đúng hạn / Completed on time", "Hoàn thành quá hạn / Completed late"],
            records[4]);
        Assert.Equal(
        [
            ["Theo cơ quan / By agency", "so-khcn", "Sở Khoa học và Công nghệ", "7", "1", "1", "2", "3", "0"],
            ["Theo cơ quan / By agency", "so-noi-vu", "Sở Nội vụ, tỉnh Bắc Ninh", "4", "1", "0", "1", "1", "1"],
            ["Theo tổ công tác / By working group", "", "Không thuộc tổ công tác / No working group", "2", "0", "1", "1", "0", "0"],
            ["Theo tổ công tác / By working group", "tct-06", "Tổ công tác Đề án 06", "9", "2", "0", "2", "4", "1"],
            ["Tổng cộng / Total", "", "", "11", "2", "1", "3", "4", "1"],
        ], records[5..]);
    }

    [Fact]
    public void T5_CsvDoesNotLetANameRunAsAFormula()
    {
        var summary = Summary();
        summary.ByAgency[0].Name = "=HYPERLINK(\"http://x\")";

        var records = ReadCsv(SummaryExport.ToCsv(summary, Committee, Period));

        Assert.Equal("'=HYPERLINK(\"http://x\")", records[5][2]);
    }

    [Fact]
    public void T5_XlsxHasBothSheetsWithATitleABoldHeaderAndNumericCounts()
    {
        var content = SummaryExport.ToXlsx(Summary(), Committee, Period);

        using var document = SpreadsheetDocument.Open(new MemoryStream(content), false);
        Assert.Empty(new OpenXmlValidator().Validate(document));
        var workbook = document.WorkbookPart!;
        Assert.Equal(["Theo cơ quan", "Theo tổ công tác"], workbook.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value));

        var byAgency = Cells(workbook, "Theo cơ quan");
        Assert.Contains(Committee, Text(byAgency["A1"]), StringComparison.Ordinal);
        Assert.Contains(Period, Text(byAgency["A2"]), StringComparison.Ordinal);
        Assert.Contains("30/06/2027 23:59", Text(byAgency["A2"]), StringComparison.Ordinal);
        Assert.Equal("Cơ quan chủ trì / Lead agency", Text(byAgency["C3"]));
        Assert.Equal("Đang thực hiện quá hạn / In progress overdue", Text(byAgency["G3"]));
        Assert.True(IsBold(workbook, byAgency["C3"]));
        Assert.False(IsBold(workbook, byAgency["C4"]));
        Assert.Equal(("so-khcn", "Sở Khoa học và Công nghệ"), (Text(byAgency["B4"]), Text(byAgency["C4"])));
        Assert.Equal([1, 7, 1, 1, 2, 3, 0], Numbers(byAgency, 4, "A", "D", "E", "F", "G", "H", "I"));
        Assert.Equal("Sở Nội vụ, tỉnh Bắc Ninh", Text(byAgency["C5"]));
        Assert.Equal([2, 4, 1, 0, 1, 1, 1], Numbers(byAgency, 5, "A", "D", "E", "F", "G", "H", "I"));
        Assert.Equal("Tổng cộng / Total", Text(byAgency["C6"]));
        Assert.True(IsBold(workbook, byAgency["D6"]));
        Assert.Equal([11, 2, 1, 3, 4, 1], Numbers(byAgency, 6, "D", "E", "F", "G", "H", "I"));

        var byGroup = Cells(workbook, "Theo tổ công tác");
        Assert.Equal("Tổ công tác / Working group", Text(byGroup["C3"]));
        Assert.Equal(StatusSummary.NoWorkingGroupName, Text(byGroup["C4"]));
        Assert.Equal(("tct-06", "Tổ công tác Đề án 06"), (Text(byGroup["B5"]), Text(byGroup["C5"])));
        Assert.Equal([9, 2, 0, 2, 4, 1], Numbers(byGroup, 5, "D", "E", "F", "G", "H", "I"));
        Assert.Equal([11, 2, 1, 3, 4, 1], Numbers(byGroup, 6, "D", "E", "F", "G", "H", "I"));
    }

    [Fact]
    public void T5_ExportAsCsvNamesTheFileAndThePeriod()
    {
        var file = SummaryExport.Export(Summary(), ExportFormat.Csv, Committee, new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30));

        Assert.Equal(("tong-hop-nhiem-vu_2027-01-01_2027-06-30.csv", "text/csv; charset=utf-8"), (file.FileName, file.ContentType));
        var records = ReadCsv(file.Content.ToByteArray());
        Assert.Equal(["Kỳ / Period", "01/01/2027 – 30/06/2027"], records[2][..2]);
        Assert.Equal(Committee, records[1][1]);
    }

    [Fact]
    public void T5_ExportAsXlsxNamesTheFileAndThePeriod()
    {
        var file = SummaryExport.Export(Summary(), ExportFormat.Xlsx, Committee, new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30));

        Assert.Equal(("tong-hop-nhiem-vu_2027-01-01_2027-06-30.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (file.FileName, file.ContentType));
        using var document = SpreadsheetDocument.Open(new MemoryStream(file.Content.ToByteArray()), false);
        Assert.Contains("01/01/2027 – 30/06/2027", Text(Cells(document.WorkbookPart!, "Theo tổ công tác")["A2"]), StringComparison.Ordinal);
    }

    [Fact]
    public void T5_ExportWithoutAFormatIsRefused()
    {
        var ex = Assert.Throws<InvalidArgumentException>(() =>
            SummaryExport.Export(Summary(), ExportFormat.Unspecified, Committee, new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30)));

        Assert.Equal("format", Assert.Single(ex.Violations).Field);
    }

    private static Dictionary<string, Cell> Cells(WorkbookPart workbook, string sheetName)
    {
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == sheetName);
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        return part.Worksheet.Descendants<Cell>().ToDictionary(c => c.CellReference!.Value!);
    }

    private static string Text(Cell cell)
    {
        Assert.Equal(CellValues.InlineString, cell.DataType?.Value);
        return cell.InlineString!.Text!.Text;
    }

    /// <summary>The values of numeric cells; a count stored as text fails here.</summary>
    private static int[] Numbers(Dictionary<string, Cell> cells, int row, params string[] columns) =>
        [.. columns.Select(c =>
        {
            var cell = cells[c + row];
            Assert.True(cell.DataType is null || cell.DataType.Value == CellValues.Number, $"{c}{row} is not a number");
            Assert.Null(cell.InlineString);
            return int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture);
        })];

    private static bool IsBold(WorkbookPart workbook, Cell cell)
    {
        var stylesheet = workbook.WorkbookStylesPart!.Stylesheet;
        var format = stylesheet.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));
        var font = stylesheet.Fonts!.Elements<Font>().ElementAt((int)(format.FontId?.Value ?? 0));
        return font.Bold is not null;
    }
}
