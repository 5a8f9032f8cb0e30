using System.Globalization;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.Tasks.Domain.Summary;
using Bcd.Tasks.Storage;

namespace Bcd.Tasks.Grpc;

/// <summary>
/// GET /api/v1/committees/{committee_id}/taskSummary.csv and .xlsx?from=yyyy-MM-dd&amp;to=yyyy-MM-dd:
/// the status summary as files for the six-month and year-end review meetings. Plain HTTP resources
/// beside the gRPC service (ExportStatusSummary returns the same file: the same CSV bytes, the same
/// workbook; XLSX packages carry fresh part ids and zip timestamps each time), because browsers download that way.
/// </summary>
public static class StatusSummaryFiles
{
    public const string CsvPath = "/api/v1/committees/{committee_id}/taskSummary.csv";
    public const string XlsxPath = "/api/v1/committees/{committee_id}/taskSummary.xlsx";

    public static WebApplication MapStatusSummaryFiles(this WebApplication app)
    {
        Map(app, CsvPath, ExportFormat.Csv);
        Map(app, XlsxPath, ExportFormat.Xlsx);
        return app;
    }

    /// <summary>Tasks due in [from, to] with their status counts (also what GetStatusSummary answers).</summary>
    internal static async Task<GetStatusSummaryResponse> SummaryAsync(TasksRepository repository, CommitteeView view, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        var tasks = await repository.LoadManyAsync(view.CommitteeId, dueFrom: from, dueTo: to);
        return StatusSummary.Compute(tasks, from, to, now,
            view.Agencies.Values.ToDictionary(a => a.AgencyId, a => a.Name),
            view.Groups.ToDictionary(g => g.GroupId, g => g.Name));
    }

    private static void Map(WebApplication app, string path, ExportFormat format) =>
        app.MapGet(path, async (string committee_id, string? from, string? to, HttpContext http,
            TasksRepository repository, IMembershipView membership, TimeProvider time) =>
        {
            var caller = Caller.FromPrincipal(http.User);
            var view = await membership.RequireCommitteeAsync(caller, committee_id, http.RequestAborted);
            var (first, last) = (Day(from, "from"), Day(to, "to"));
            if (first > last)
            {
                throw new InvalidArgumentException("to", "The end of the range is before its start.", "Ngày kết thúc trước ngày bắt đầu.");
            }

            var summary = await SummaryAsync(repository, view, first, last, time.GetUtcNow());
            var file = SummaryExport.Export(summary, format, view.Name, first, last);
            return Results.File(file.Content.ToByteArray(), file.ContentType, file.FileName);
        }).RequireAuthorization().AddEndpointFilter<DomainErrorEndpointFilter>();

    private static DateOnly Day(string? value, string field) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new InvalidArgumentException(field, $"'{field}' must be a date written yyyy-MM-dd.", $"'{field}' phải là ngày dạng yyyy-MM-dd.");
}
