using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain;
using Bcd.Tasks.Domain.Import;
using Bcd.Tasks.Domain.Summary;
using Grpc.Core;

namespace Bcd.Tasks.Grpc;

// CSV import, the status summary and its files, and the report regime (T5).
public sealed partial class TasksGrpcService
{
    /// <summary>T1, T2: every row valid → every task created in one commit; any row invalid → nothing, and every bad row reported.</summary>
    public override Task<ImportTasksResponse> ImportTasks(ImportTasksRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, ImportTasksResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var capacity = view.RequireAssigner(caller, named: null, "assigning_authority", now);
            var authority = new Contracts.Common.V1.AssigningAuthority { PersonId = caller.PersonId, ActingAs = capacity.ActingAs };
            var parsed = TaskCsvImport.Parse(request.Csv, authority, ProvinceTime.DateOf(now), view.Agencies.ContainsKey,
                groupId => view.Group(groupId) is not null, validator, options.Value.MaxImportRows);
            if (!parsed.IsValid)
            {
                throw new InvalidArgumentException(FirstViolations(parsed.Violations));
            }

            var actor = caller.ToActor(capacity);
            var response = new ImportTasksResponse { Created = parsed.Rows.Count };
            foreach (var row in parsed.Rows)
            {
                var task = TaskAggregate.Assign(Ids.New("tsk", now), request.CommitteeId, row.Directive, row.Source, row.WorkingGroupId,
                    actor, now, request.RequestId, view).State;
                repository.Add(changes, task);
                changes.Publish(new TaskAssigned { Task = task, OccurredAt = time.NowTimestamp(), Actor = actor }, task.CommitteeId);
                response.TaskIds.Add(task.TaskId);
            }

            return response;
        });
    }

    /// <summary>
    /// The error travels in gRPC trailers, which clients cap (64 KB by default): a file whose every row
    /// is bad reports its first violations and how many more there are, rather than an error no client can read.
    /// </summary>
    private static IReadOnlyList<FieldViolation> FirstViolations(IReadOnlyList<FieldViolation> violations)
    {
        const int Shown = 200;
        if (violations.Count <= Shown)
        {
            return violations;
        }

        var rest = violations.Count - Shown;
        return
        [
            .. violations.Take(Shown),
            new FieldViolation("csv", $"…and {rest} more problems in later rows; fix these and import again.",
                $"…và {rest} lỗi khác ở các dòng sau; hãy sửa các lỗi trên rồi nhập lại."),
        ];
    }

    public override async Task<GetStatusSummaryResponse> GetStatusSummary(GetStatusSummaryRequest request, ServerCallContext context)
    {
        var view = await CommitteeAsync(request.CommitteeId, context);
        var (from, to) = RequiredRange(request.From, request.To);
        return await StatusSummaryFiles.SummaryAsync(repository, view, from, to, time.GetUtcNow());
    }

    public override async Task<ExportStatusSummaryResponse> ExportStatusSummary(ExportStatusSummaryRequest request, ServerCallContext context)
    {
        var view = await CommitteeAsync(request.CommitteeId, context);
        var (from, to) = RequiredRange(request.From, request.To);
        var summary = await StatusSummaryFiles.SummaryAsync(repository, view, from, to, time.GetUtcNow());
        return SummaryExport.Export(summary, request.Format, view.Name, from, to);
    }

    // ---- report regime (T5) ---------------------------------------------------------------------------

    public override Task<OpenReportingPeriodResponse> OpenReportingPeriod(OpenReportingPeriodRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, OpenReportingPeriodResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var period = ReportingPeriodAggregate.Open(Ids.New("rpp", now), request, caller, view, now);
            repository.AddPeriod(changes, period.State, period.Facts(view));
            return new OpenReportingPeriodResponse { Period = ReportingPeriodAggregate.ForRead(period.State) };
        });
    }

    public override Task<SubmitGroupReportResponse> SubmitGroupReport(SubmitGroupReportRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, SubmitGroupReportResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var loaded = await repository.LoadPeriodAsync(request.CommitteeId, request.PeriodId);
            var period = new ReportingPeriodAggregate(loaded.State.Clone());
            var report = period.Submit(request, caller, view, time.GetUtcNow());
            repository.SavePeriod(changes, period.State, loaded.Version, period.Facts(view));
            changes.Publish(period.SubmittedEvent(report), request.CommitteeId);
            return new SubmitGroupReportResponse { Period = ReportingPeriodAggregate.ForRead(period.State) };
        });
    }

    public override async Task<GetReportingPeriodResponse> GetReportingPeriod(GetReportingPeriodRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadPeriodAsync(request.CommitteeId, request.PeriodId);
        return new GetReportingPeriodResponse { Period = ReportingPeriodAggregate.ForRead(loaded.State) };
    }

    public override async Task<ListReportingPeriodsResponse> ListReportingPeriods(ListReportingPeriodsRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var periods = (await repository.LoadPeriodsAsync(request.CommitteeId)).Select(ReportingPeriodAggregate.ForRead).ToList();
        var page = Paging.Page(periods, request.PageSize, request.PageToken, 50);
        var response = new ListReportingPeriodsResponse { NextPageToken = page.NextToken };
        response.Periods.AddRange(page.Items);
        return response;
    }
}
