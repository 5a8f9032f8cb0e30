using System.Globalization;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Google.Protobuf;

namespace Bcd.Tasks.Domain.Summary;

/// <summary>
/// The status summary as files for the review meetings (ExportStatusSummary and the taskSummary.csv /
/// .xlsx downloads): a CSV that Excel opens with its Vietnamese intact, and a workbook with one sheet by
/// agency and one by working group. Headings carry Vietnamese and English in the same cell.
/// </summary>
public static class SummaryExport
{
    public const string CsvContentType = "text/csv; charset=utf-8";
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public const string Title = "Tổng hợp tình hình thực hiện nhiệm vụ / Task status summary";
    public const string ByAgencySheet = "Theo cơ quan";
    public const string ByWorkingGroupSheet = "Theo tổ công tác";
    public const string ByAgencyLabel = "Theo cơ quan / By agency";
    public const string ByWorkingGroupLabel = "Theo tổ công tác / By working group";
    public const string TotalLabel = "Tổng cộng / Total";

    /// <summary>The count columns, in the order of <see cref="StatusCounts"/>.</summary>
    public static IReadOnlyList<string> CountHeaders { get; } =
    [
        "Tổng số / Total",
        "Chưa thực hiện / Not started",
        "Đang thực hiện trong hạn / In progress on time",
        "Đang thực hiện quá hạn / In progress overdue",
        "Hoàn thành đúng hạn / Completed on time",
        "Hoàn thành quá hạn / Completed late",
    ];

    /// <summary>The file for <paramref name="format"/>, named after the period, e.g. tong-hop-nhiem-vu_2027-01-01_2027-06-30.xlsx.</summary>
    public static ExportStatusSummaryResponse Export(
        GetStatusSummaryResponse summary, ExportFormat format, string committeeName, DateOnly from, DateOnly to)
    {
        var periodLabel = string.Create(CultureInfo.InvariantCulture, $"{from:dd/MM/yyyy} – {to:dd/MM/yyyy}");
        var (content, contentType, extension) = format switch
        {
            ExportFormat.Csv => (ToCsv(summary, committeeName, periodLabel), CsvContentType, "csv"),
            ExportFormat.Xlsx => (ToXlsx(summary, committeeName, periodLabel), XlsxContentType, "xlsx"),
            _ => throw new InvalidArgumentException("format",
                $"Unknown export format {format}: choose CSV or XLSX.",
                "Định dạng xuất không hợp lệ: chọn CSV hoặc XLSX."),
        };

        return new ExportStatusSummaryResponse
        {
            FileName = string.Create(CultureInfo.InvariantCulture, $"tong-hop-nhiem-vu_{from:yyyy-MM-dd}_{to:yyyy-MM-dd}.{extension}"),
            ContentType = contentType,
            // The array is fresh and never touched again, so it need not be copied.
            Content = UnsafeByteOperations.UnsafeWrap(content),
        };
    }

    /// <summary>
    /// UTF-8 with a byte order mark, without which Excel reads the file in the machine's code page and
    /// garbles the diacritics. Four title lines, then one table whose first column says which breakdown a
    /// row belongs to, then the total; every line has the same number of fields (RFC 4180).
    /// </summary>
    public static byte[] ToCsv(GetStatusSummaryResponse summary, string committeeName, string periodLabel)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var header = new[] { "Phân loại / Breakdown", "Mã / Code", "Tên / Name" }.Concat(CountHeaders).ToArray();
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, new CsvWriterOptions
        {
            WriteByteOrderMark = true,
            // Names come from other people's input; a leading "=" must not become a formula in Excel.
            Injection = CsvInjection.Escape,
        }, leaveOpen: true))
        {
            void Line(params string[] fields) => writer.WriteRecord([.. fields, .. Enumerable.Repeat(string.Empty, header.Length - fields.Length)]);

            Line(Title);
            Line("Ban Chỉ đạo / Committee", committeeName);
            Line("Kỳ / Period", periodLabel);
            Line("Số liệu tính đến / As of", AsOfText(summary));
            writer.WriteRecord(header);
            foreach (var row in summary.ByAgency)
            {
                writer.WriteRecord([ByAgencyLabel, row.Key, row.Name, .. Numbers(row.Counts).Select(Invariant)]);
            }

            foreach (var row in summary.ByWorkingGroup)
            {
                writer.WriteRecord([ByWorkingGroupLabel, row.Key, row.Name, .. Numbers(row.Counts).Select(Invariant)]);
            }

            writer.WriteRecord([TotalLabel, string.Empty, string.Empty, .. Numbers(summary.Total).Select(Invariant)]);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A workbook with the sheets "Theo cơ quan" and "Theo tổ công tác": a title row, a period row, a bold
    /// header row, one row per agency or group with the counts as numeric cells, and a bold total row.
    /// </summary>
    public static byte[] ToXlsx(GetStatusSummaryResponse summary, string committeeName, string periodLabel)
    {
        ArgumentNullException.ThrowIfNull(summary);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            workbookPart.Workbook = new Workbook();
            workbookPart.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
            var sheets = workbookPart.Workbook.AppendChild(new Sheets());
            var subtitle = $"Kỳ / Period: {periodLabel} — Số liệu tính đến / As of: {AsOfText(summary)}";
            var title = $"{Title} — {committeeName}";
            AddSheet(workbookPart, sheets, 1, ByAgencySheet, "Cơ quan chủ trì / Lead agency", title, subtitle, summary.ByAgency, summary.Total);
            AddSheet(workbookPart, sheets, 2, ByWorkingGroupSheet, "Tổ công tác / Working group", title, subtitle, summary.ByWorkingGroup, summary.Total);
        }

        return stream.ToArray();
    }

    private static void AddSheet(
        WorkbookPart workbookPart, Sheets sheets, uint sheetId, string sheetName, string nameHeader,
        string title, string subtitle, IEnumerable<SummaryRow> rows, StatusCounts? total)
    {
        var data = new SheetData();
        data.Append(TextRow(1, Look.Title, title));
        data.Append(TextRow(2, Look.Normal, subtitle));
        data.Append(TextRow(3, Look.Bold, ["STT / No.", "Mã / Code", nameHeader, .. CountHeaders]));

        uint rowIndex = 4;
        var number = 1;
        foreach (var row in rows)
        {
            data.Append(DataRow(rowIndex++, Look.Normal, 0, [number++], [row.Key, row.Name], Numbers(row.Counts)));
        }

        data.Append(DataRow(rowIndex, Look.Bold, 2, [], [TotalLabel], Numbers(total)));

        var part = workbookPart.AddNewPart<WorksheetPart>();
        part.Worksheet = new Worksheet(
            new Columns(
                new Column { Min = 1, Max = 1, Width = 10, CustomWidth = true },
                new Column { Min = 2, Max = 2, Width = 20, CustomWidth = true },
                new Column { Min = 3, Max = 3, Width = 45, CustomWidth = true },
                new Column { Min = 4, Max = 9, Width = 22, CustomWidth = true }),
            data);
        sheets.Append(new Sheet { Id = workbookPart.GetIdOfPart(part), SheetId = sheetId, Name = sheetName });
    }

    private enum Look : uint
    {
        Normal = 0,
        Bold = 1,
        Title = 2,
    }

    /// <summary>A row of text cells from column A.</summary>
    private static Row TextRow(uint index, Look look, params string[] texts)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < texts.Length; i++)
        {
            row.Append(TextCell(Reference(i, index), texts[i], look));
        }

        return row;
    }

    /// <summary>A data row from column <paramref name="column"/> (0 = A): leading numbers, texts, then the counts.</summary>
    private static Row DataRow(uint index, Look look, int column, int[] leading, string[] texts, IEnumerable<int> counts)
    {
        var row = new Row { RowIndex = index };
        foreach (var value in leading)
        {
            row.Append(NumberCell(Reference(column++, index), value, look));
        }

        foreach (var text in texts)
        {
            row.Append(TextCell(Reference(column++, index), text, look));
        }

        foreach (var value in counts)
        {
            row.Append(NumberCell(Reference(column++, index), value, look));
        }

        return row;
    }

    // Inline strings keep each sheet self-contained; the files are small, so a shared string table saves nothing.
    private static Cell TextCell(string reference, string text, Look look) => new()
    {
        CellReference = reference,
        DataType = CellValues.InlineString,
        StyleIndex = (uint)look,
        InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }),
    };

    // No data type: a cell is numeric by default, so Excel sums and sorts the counts.
    private static Cell NumberCell(string reference, int value, Look look) => new()
    {
        CellReference = reference,
        StyleIndex = (uint)look,
        CellValue = new CellValue(value),
    };

    private static string Reference(int column, uint row) => string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + column)}{row}");

    /// <summary>Fonts normal, bold and bold 14 pt; cell formats 0, 1 and 2 use them in that order (<see cref="Look"/>).</summary>
    private static Stylesheet Styles() => new(
        new Fonts(
            new Font(new FontSize { Val = 11 }, new FontName { Val = "Calibri" }),
            new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Calibri" }),
            new Font(new Bold(), new FontSize { Val = 14 }, new FontName { Val = "Calibri" })),
        // The first two fills are reserved by the format (none and gray125).
        new Fills(
            new Fill(new PatternFill { PatternType = PatternValues.None }),
            new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
        new Borders(new Border()),
        new CellStyleFormats(new CellFormat()),
        new CellFormats(
            new CellFormat { FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
            new CellFormat { FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true },
            new CellFormat { FontId = 2, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true }),
        new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }));

    private static int[] Numbers(StatusCounts? counts) =>
        counts is null
            ? new int[CountHeaders.Count]
            : [counts.Total, counts.NotStarted, counts.InProgressOnTime, counts.InProgressOverdue, counts.CompletedOnTime, counts.CompletedLate];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string AsOfText(GetStatusSummaryResponse summary) =>
        summary.AsOf is null
            ? string.Empty
            : TimeZoneInfo.ConvertTime(summary.AsOf.ToDateTimeOffset(), ProvinceTime.Zone).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);
}
