using System.Net;
using System.Text;
using System.Text.Json;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain.Summary;
using Bcd.Testing;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Grpc.Core;
using static Bcd.Projections.Membership.Tests.MembershipHistory;
using static Bcd.Tasks.Tests.Functional.TasksHost;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>
/// The status summary (T3, T5) over gRPC and as the taskSummary.csv / .xlsx downloads, plain HTTP GETs
/// on the app's HTTP/1.1 port (TestApp.HttpAddress; the gRPC port speaks HTTP/2 only), with the same
/// bearer tokens, and the same bytes as ExportStatusSummary.
/// </summary>
[Collection(TasksRedisCollection.Name)]
public sealed class SummaryFilesTests(RedisFixture redis)
{
    private static readonly DateOnly From = new(2026, 10, 1);
    private static readonly DateOnly To = new(2026, 12, 31);
    private const string WorkingGroupName = "Tổ Công tác KHCN, ĐMST và CĐS";
    private const string KhcnName = "Sở Khoa học và Công nghệ";
    private const string NoiVuName = "Sở Nội vụ";

    [Fact]
    public async Task T5_StatusSummaryCountsByAgencyAndGroup()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ArrangeAsync(host);

        var quarter = await SummaryAsync(host, From, To);
        var october = await SummaryAsync(host, From, new DateOnly(2026, 10, 31));

        // Not started, in progress on time, in progress overdue, completed on time, completed late.
        Assert.Equal(
        [
            ("so-khcn", KhcnName, (3, 1, 0, 1, 1, 0)),
            ("so-noi-vu", NoiVuName, (2, 0, 1, 0, 0, 1)),
        ], quarter.ByAgency.Select(r => (r.Key, r.Name, Counts(r.Counts))));
        Assert.Equal(
        [
            ("", StatusSummary.NoWorkingGroupName, (2, 1, 1, 0, 0, 0)),
            (GroupId, WorkingGroupName, (3, 0, 0, 1, 1, 1)),
        ], quarter.ByWorkingGroup.Select(r => (r.Key, r.Name, Counts(r.Counts))));
        Assert.Equal((5, 1, 1, 1, 1, 1), Counts(quarter.Total));
        Assert.Equal(host.Time.GetUtcNow(), quarter.AsOf.ToDateTimeOffset());

        // A past range reads as on its last day: the task due 31/10 was still in progress on time then.
        Assert.Equal(new DateOnly(2026, 10, 31), ProvinceTime.DateOf(october.AsOf.ToDateTimeOffset()));
        Assert.Equal((3, 0, 1, 0, 1, 1), Counts(october.Total));
    }

    [Fact]
    public async Task T5_CsvDownloadIsUtf8WithABomAndVietnameseIntact()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ArrangeAsync(host);
        using var http = host.App.CreateHttpClient(HeadToken);

        using var response = await http.GetAsync(CsvUrl(From, To));
        var content = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("tong-hop-nhiem-vu_2026-10-01_2026-12-31.csv", FileName(response));
        Assert.Equal(Encoding.UTF8.GetPreamble(), content[..3]);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content, 3, content.Length - 3);
        Assert.Contains("Ban Chỉ đạo tỉnh Bắc Ninh", text, StringComparison.Ordinal);
        var records = ReadCsv(content);
        Assert.Equal(SummaryExport.Title, records[0][0]);
        Assert.Equal(
        [
            ["Theo cơ quan / By agency", "so-khcn", KhcnName, "3", "1", "0", "1", "1", "0"],
            ["Theo cơ quan / By agency", "so-noi-vu", NoiVuName, "2", "0", "1", "0", "0", "1"],
            ["Theo tổ công tác / By working group", "", StatusSummary.NoWorkingGroupName, "2", "1", "1", "0", "0", "0"],
            ["Theo tổ công tác / By working group", GroupId, WorkingGroupName, "3", "0", "0", "1", "1", "1"],
            ["Tổng cộng / Total", "", "", "5", "1", "1", "1", "1", "1"],
        ], records[5..]);
    }

    [Fact]
    public async Task T5_XlsxDownloadHasBothSheetsWithNumericCounts()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ArrangeAsync(host);
        using var http = host.App.CreateHttpClient(HeadToken);

        using var response = await http.GetAsync(XlsxUrl(From, To));
        var content = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SummaryExport.XlsxContentType, response.Content.Headers.ContentType?.MediaType);
        using var document = SpreadsheetDocument.Open(new MemoryStream(content), false);
        var workbook = document.WorkbookPart!;
        Assert.Equal(["Theo cơ quan", "Theo tổ công tác"], workbook.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value));

        var byAgency = Rows(workbook, "Theo cơ quan");
        Assert.Contains("Ban Chỉ đạo tỉnh Bắc Ninh", byAgency[0][0].Text, StringComparison.Ordinal);
        Assert.Equal((KhcnName, NoiVuName, SummaryExport.TotalLabel), (byAgency[3][2].Text, byAgency[4][2].Text, byAgency[5][0].Text));
        Assert.Equal([3, 1, 0, 1, 1, 0], byAgency[3][3..].Select(c => c.Number));
        Assert.Equal([2, 0, 1, 0, 0, 1], byAgency[4][3..].Select(c => c.Number));
        Assert.Equal([5, 1, 1, 1, 1, 1], byAgency[5][1..].Select(c => c.Number));

        var byGroup = Rows(workbook, "Theo tổ công tác");
        Assert.Equal((StatusSummary.NoWorkingGroupName, WorkingGroupName), (byGroup[3][2].Text, byGroup[4][2].Text));
        Assert.Equal([2, 1, 1, 0, 0, 0], byGroup[3][3..].Select(c => c.Number));
        Assert.Equal([3, 0, 0, 1, 1, 1], byGroup[4][3..].Select(c => c.Number));
    }

    [Fact]
    public async Task T5_ABadFromIsA400WithProblemDetails()
    {
        await using var host = await TasksHost.StartAsync(redis);
        using var http = host.App.CreateHttpClient(HeadToken);

        using var response = await http.GetAsync($"/api/v1/committees/{CommitteeId}/taskSummary.csv?from=01/10/2026&to=2026-12-31");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = body.RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("InvalidArgument", problem.GetProperty("grpcStatus").GetString());
        Assert.Contains("from", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("yyyy-MM-dd", problem.GetProperty("detailVi").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task X4_TheDownloadNeedsATokenOfTheCommittee()
    {
        await using var host = await TasksHost.StartAsync(redis);
        using var anonymous = host.App.CreateHttpClient();
        using var other = host.App.CreateHttpClient(OtherCommitteeToken);

        using var noToken = await anonymous.GetAsync(CsvUrl(From, To));
        using var otherCommittee = await other.GetAsync(XlsxUrl(From, To));

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherCommittee.StatusCode);
        using var body = JsonDocument.Parse(await otherCommittee.Content.ReadAsStringAsync());
        var problem = body.RootElement;
        Assert.Equal("PermissionDenied", problem.GetProperty("grpcStatus").GetString());
    }

    [Fact]
    public async Task T5_CsvExportOverGrpcIsByteForByteTheDownload()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ArrangeAsync(host);

        var (exported, downloaded) = await ExportAndDownloadAsync(host, ExportFormat.Csv);

        Assert.Equal(HttpStatusCode.OK, downloaded.Status);
        Assert.Equal((exported.ContentType, exported.FileName), (downloaded.ContentType, downloaded.FileName));
        Assert.Equal(exported.Content.ToByteArray(), downloaded.Content);
    }

    [Fact]
    public async Task T5_XlsxExportOverGrpcIsTheSameWorkbookAsTheDownload()
    {
        await using var host = await TasksHost.StartAsync(redis);
        await ArrangeAsync(host);

        var (exported, downloaded) = await ExportAndDownloadAsync(host, ExportFormat.Xlsx);

        Assert.Equal(HttpStatusCode.OK, downloaded.Status);
        Assert.Equal("tong-hop-nhiem-vu_2026-10-01_2026-12-31.xlsx", exported.FileName);
        Assert.Equal((exported.ContentType, exported.FileName), (downloaded.ContentType, downloaded.FileName));
        // Same sheets, same cells, same styles (the package's relationship ids and zip timestamps differ from one build of the file to the next).
        Assert.Equal(WorkbookContent(exported.Content.ToByteArray()), WorkbookContent(downloaded.Content));
    }

    [Fact]
    public async Task X4_ACallerOfAnotherCommitteeGetsNoSummaryOverGrpc()
    {
        await using var host = await TasksHost.StartAsync(redis);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Tasks.GetStatusSummaryAsync(new GetStatusSummaryRequest
        {
            CommitteeId = CommitteeId, From = From.ToProtoDate(), To = To.ToProtoDate(),
        }, As(OtherCommitteeToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>
    /// As of 10/11/2026 09:00, tasks due in Quý IV/2026:
    /// Sở KH&amp;CN in WG-STI-DX — due 15/10 done 10/10 (completed on time), due 31/10 at 40 % (in progress overdue);
    /// Sở KH&amp;CN, no group — due 15/12, nothing reported (not started);
    /// Sở Nội vụ, no group — due 30/11 at 50 % (in progress on time);
    /// Sở Nội vụ in WG-STI-DX — due 20/10 done 25/10 (completed late);
    /// and Sở Tài chính — due 25/9, outside the range.
    /// </summary>
    private static async Task ArrangeAsync(TasksHost host)
    {
        async Task<string> Assign(string lead, int month, int day, string? group = null) =>
            (await host.AssignAsync(TasksHost.Directive(lead: lead, deadline: new DateOnly(2026, month, day)), group)).TaskId;

        var khcnDone = await Assign("so-khcn", 10, 15, GroupId);
        var khcnOverdue = await Assign("so-khcn", 10, 31, GroupId);
        await Assign("so-khcn", 12, 15);
        var noiVuOnTime = await Assign("so-noi-vu", 11, 30);
        var noiVuLate = await Assign("so-noi-vu", 10, 20, GroupId);
        await Assign("so-tai-chinh", 9, 25);

        ScoringSteps.At(host, new DateOnly(2026, 10, 5));
        await host.ReportAsync(khcnOverdue, 40, KhcnToken);
        await host.ReportAsync(noiVuOnTime, 50, NoiVuToken);
        ScoringSteps.At(host, new DateOnly(2026, 10, 10));
        await ScoringSteps.CompleteAsync(host, khcnDone, KhcnToken);
        ScoringSteps.At(host, new DateOnly(2026, 10, 25));
        await ScoringSteps.CompleteAsync(host, noiVuLate, NoiVuToken);
        ScoringSteps.At(host, new DateOnly(2026, 11, 10), hour: 9);
    }

    private static async Task<GetStatusSummaryResponse> SummaryAsync(TasksHost host, DateOnly from, DateOnly to) =>
        await host.Tasks.GetStatusSummaryAsync(new GetStatusSummaryRequest
        {
            CommitteeId = CommitteeId, From = from.ToProtoDate(), To = to.ToProtoDate(),
        }, As(HeadToken));

    private static (int Total, int NotStarted, int OnTime, int Overdue, int CompletedOnTime, int CompletedLate) Counts(StatusCounts c) =>
        (c.Total, c.NotStarted, c.InProgressOnTime, c.InProgressOverdue, c.CompletedOnTime, c.CompletedLate);

    /// <summary>The same range exported over gRPC and downloaded over HTTP with the Head's token.</summary>
    private static async Task<(ExportStatusSummaryResponse Exported, Download Downloaded)> ExportAndDownloadAsync(TasksHost host, ExportFormat format)
    {
        var exported = await host.Tasks.ExportStatusSummaryAsync(new ExportStatusSummaryRequest
        {
            CommitteeId = CommitteeId, From = From.ToProtoDate(), To = To.ToProtoDate(), Format = format,
        }, As(HeadToken));
        using var http = host.App.CreateHttpClient(HeadToken);
        using var response = await http.GetAsync(format == ExportFormat.Csv ? CsvUrl(From, To) : XlsxUrl(From, To));
        return (exported, new Download(response.StatusCode, response.Content.Headers.ContentType?.ToString(), FileName(response),
            await response.Content.ReadAsByteArrayAsync()));
    }

    private sealed record Download(HttpStatusCode Status, string? ContentType, string? FileName, byte[] Content);

    private static string? FileName(HttpResponseMessage response) =>
        response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName;

    /// <summary>What a reader of the workbook sees: the styles, then each sheet's name and XML, in sheet order.</summary>
    private static List<string> WorkbookContent(byte[] xlsx)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var workbook = document.WorkbookPart!;
        var content = new List<string> { workbook.WorkbookStylesPart!.Stylesheet.OuterXml };
        content.AddRange(workbook.Workbook.Sheets!.Elements<Sheet>()
            .Select(sheet => $"{sheet.Name}: {((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet.OuterXml}"));
        return content;
    }

    private static string CsvUrl(DateOnly from, DateOnly to) =>
        $"/api/v1/committees/{CommitteeId}/taskSummary.csv?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}";

    private static string XlsxUrl(DateOnly from, DateOnly to) =>
        $"/api/v1/committees/{CommitteeId}/taskSummary.xlsx?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}";

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

    private sealed record SheetCell(string Text, int? Number);

    /// <summary>The rows of a sheet, each as its cells in order; numeric cells (no data type) parsed, text cells read.</summary>
    private static List<SheetCell[]> Rows(WorkbookPart workbook, string sheetName)
    {
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == sheetName);
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        return part.Worksheet.Descendants<Row>()
            .Select(row => row.Elements<Cell>().Select(cell => cell.DataType is null
                ? new SheetCell(cell.CellValue!.Text, int.Parse(cell.CellValue.Text, System.Globalization.CultureInfo.InvariantCulture))
                : new SheetCell(cell.InlineString?.InnerText ?? cell.CellValue?.Text ?? string.Empty, null)).ToArray())
            .ToList();
    }
}
