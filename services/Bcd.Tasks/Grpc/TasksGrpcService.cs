using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using Bcd.ServiceDefaults.Storage;
using Bcd.ServiceDefaults.Time;
using Bcd.ServiceDefaults.Validation;
using Bcd.Tasks.Domain;
using Bcd.Tasks.Storage;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Bcd.Tasks.Grpc;

/// <summary>
/// bcd.tasks.v1.TasksService: loads the task and the committee as the membership projection knows
/// it, lets the domain decide, and commits the task, its indexes, its history and its events in one
/// change set under the request's idempotency.
/// </summary>
[Authorize]
public sealed partial class TasksGrpcService(
    TasksRepository repository,
    IMembershipView membership,
    RequestValidator validator,
    IOptions<TasksOptions> options,
    TimeProvider time) : TasksService.TasksServiceBase
{
    private RedisStore Store => repository.Store;

    public override Task<AssignTaskResponse> AssignTask(AssignTaskRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), request.RequestId, AssignTaskResponse.Parser, async changes =>
        {
            var view = await CommitteeAsync(request.CommitteeId, context);
            var now = time.GetUtcNow();
            var capacity = view.RequireAssigner(caller, request.Directive.AssigningAuthority, "directive.assigning_authority", now);
            DirectiveRules.CheckOrThrow(request.Directive, "directive", ProvinceTime.DateOf(now), view.Agencies.ContainsKey);
            var task = TaskAggregate.Assign(Ids.New("tsk", now), request.CommitteeId, request.Directive, request.Source, request.WorkingGroupId,
                caller.ToActor(capacity), now, request.RequestId, view).State;
            repository.Add(changes, task);
            changes.Publish(new TaskAssigned { Task = task, OccurredAt = time.NowTimestamp(), Actor = task.AssignedBy }, task.CommitteeId);
            return new AssignTaskResponse { Task = task.WithStatus(now) };
        });
    }

    public override async Task<GetTaskResponse> GetTask(GetTaskRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var loaded = await repository.LoadAsync(request.CommitteeId, request.TaskId);
        return new GetTaskResponse { Task = ForRead(loaded.State, time.GetUtcNow()) };
    }

    public override async Task<ListTasksResponse> ListTasks(ListTasksRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var (from, to) = OptionalRange(request.DueFrom, request.DueTo, "due_from", "due_to");
        var now = time.GetUtcNow();
        IEnumerable<AssignedTask> tasks = await repository.LoadManyAsync(request.CommitteeId, request.LeadAgencyId, request.WorkingGroupId, from, to);
        var read = tasks.Select(t => t.WithStatus(now));
        if (request.Status != Contracts.Tasks.V1.TaskStatus.Unspecified)
        {
            read = read.Where(t => t.Status == request.Status);
        }

        var page = Paging.Page(read.ToList(), request.PageSize, request.PageToken, 100);
        var response = new ListTasksResponse { NextPageToken = page.NextToken };
        response.Tasks.AddRange(page.Items);
        return response;
    }

    public override Task<ReportProgressResponse> ReportProgress(ReportProgressRequest request, ServerCallContext context) =>
        ChangeTaskAsync(context, request.RequestId, request.CommitteeId, request.TaskId, ReportProgressResponse.Parser,
            (task, caller, view, now, changes) =>
            {
                var report = task.ReportProgress(request, caller, now, Ids.New("rpt", now));
                changes.Publish(task.ProgressEvent(report), task.State.CommitteeId);
                return new ReportProgressResponse { Task = ForRead(task.State, now) };
            });

    public override Task<RequestDeadlineChangeResponse> RequestDeadlineChange(RequestDeadlineChangeRequest request, ServerCallContext context) =>
        ChangeTaskAsync(context, request.RequestId, request.CommitteeId, request.TaskId, RequestDeadlineChangeResponse.Parser,
            (task, caller, view, now, changes) =>
            {
                var change = task.RequestDeadlineChange(request, caller, now, Ids.New("dlc", now));
                return new RequestDeadlineChangeResponse { Task = ForRead(task.State, now), ChangeId = change.ChangeId };
            });

    public override Task<DecideDeadlineChangeResponse> DecideDeadlineChange(DecideDeadlineChangeRequest request, ServerCallContext context) =>
        ChangeTaskAsync(context, request.RequestId, request.CommitteeId, request.TaskId, DecideDeadlineChangeResponse.Parser,
            (task, caller, view, now, changes) =>
            {
                var change = task.DecideDeadlineChange(request, caller, view, now);
                changes.Publish(new TaskDeadlineChangeDecided
                {
                    CommitteeId = task.State.CommitteeId,
                    TaskId = task.State.TaskId,
                    Change = change,
                    OccurredAt = change.DecidedAt,
                    Actor = change.DecidedBy,
                }, task.State.CommitteeId);
                return new DecideDeadlineChangeResponse { Task = ForRead(task.State, now) };
            });

    public override Task<RaiseObstacleResponse> RaiseObstacle(RaiseObstacleRequest request, ServerCallContext context) =>
        ChangeTaskAsync(context, request.RequestId, request.CommitteeId, request.TaskId, RaiseObstacleResponse.Parser,
            (task, caller, view, now, changes) =>
            {
                var obstacle = task.RaiseObstacle(request, caller, now, Ids.New("obs", now));
                changes.Publish(new ObstacleRaised
                {
                    CommitteeId = task.State.CommitteeId,
                    Obstacle = obstacle,
                    OccurredAt = obstacle.RaisedAt,
                    Actor = obstacle.RaisedBy,
                }, task.State.CommitteeId);
                return new RaiseObstacleResponse { Task = ForRead(task.State, now), ObstacleId = obstacle.ObstacleId };
            });

    public override Task<ResolveObstacleResponse> ResolveObstacle(ResolveObstacleRequest request, ServerCallContext context) =>
        ChangeTaskAsync(context, request.RequestId, request.CommitteeId, request.TaskId, ResolveObstacleResponse.Parser,
            (task, caller, view, now, changes) =>
            {
                var obstacle = task.ResolveObstacle(request, caller, view, now);
                changes.Publish(new ObstacleResolved
                {
                    CommitteeId = task.State.CommitteeId,
                    Obstacle = obstacle,
                    OccurredAt = obstacle.ResolvedAt,
                    Actor = obstacle.ResolvedBy,
                }, task.State.CommitteeId);
                return new ResolveObstacleResponse { Task = ForRead(task.State, now) };
            });

    /// <summary>T4: obstacles in one state, oldest first, each with its age.</summary>
    public override async Task<ListObstaclesResponse> ListObstacles(ListObstaclesRequest request, ServerCallContext context)
    {
        await CommitteeAsync(request.CommitteeId, context);
        var status = request.Status == ObstacleStatus.Unspecified ? ObstacleStatus.Open : request.Status;
        var refs = await repository.ObstacleRefsAsync(request.CommitteeId, status);
        var tasks = (await repository.LoadByIdsAsync(refs.Select(r => r.TaskId).Distinct()))
            .Where(t => t.CommitteeId == request.CommitteeId)
            .ToDictionary(t => t.TaskId);
        var now = time.GetUtcNow();
        var obstacles = refs
            .Select(r => tasks.TryGetValue(r.TaskId, out var t) ? t.Obstacles.FirstOrDefault(o => o.ObstacleId == r.ObstacleId) : null)
            .OfType<Obstacle>()
            .Where(o => o.Status == status && (request.LeadAgencyId.Length == 0 || o.LeadAgencyId == request.LeadAgencyId))
            .Select(o => TaskAggregate.ForRead(o, now))
            .ToList();
        var page = Paging.Page(obstacles, request.PageSize, request.PageToken, 100);
        var response = new ListObstaclesResponse { NextPageToken = page.NextToken };
        response.Obstacles.AddRange(page.Items);
        return response;
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private delegate TResponse TaskAction<out TResponse>(TaskAggregate task, Caller caller, CommitteeView view, DateTimeOffset now, ChangeSet changes);

    /// <summary>Loads a task, applies one domain action, saves it with its indexes and events under the request's idempotency.</summary>
    private Task<TResponse> ChangeTaskAsync<TResponse>(
        ServerCallContext context, string requestId, string committeeId, string taskId,
        Google.Protobuf.MessageParser<TResponse> parser, TaskAction<TResponse> act)
        where TResponse : Google.Protobuf.IMessage<TResponse>
    {
        var caller = context.Caller();
        return Store.ExecuteOnceAsync(context.IdempotencyScope(caller), requestId, parser, async changes =>
        {
            var view = await CommitteeAsync(committeeId, context);
            var loaded = await repository.LoadAsync(committeeId, taskId);
            var task = new TaskAggregate(loaded.State.Clone());
            var response = act(task, caller, view, time.GetUtcNow(), changes);
            repository.Save(changes, task.State, loaded.State, loaded.Version);
            return response;
        });
    }

    /// <summary>A task as every read returns it: status and obstacle ages computed now.</summary>
    private static AssignedTask ForRead(AssignedTask task, DateTimeOffset now)
    {
        var read = task.WithStatus(now);
        for (var i = 0; i < read.Obstacles.Count; i++)
        {
            read.Obstacles[i] = TaskAggregate.ForRead(read.Obstacles[i], now);
        }

        return read;
    }

    private static (DateOnly? From, DateOnly? To) OptionalRange(Google.Type.Date? from, Google.Type.Date? to, string fromField, string toField)
    {
        var violations = new List<FieldViolation>();
        if (from is not null && !from.IsValid())
        {
            violations.Add(new FieldViolation(fromField, "Not a calendar date.", "Không phải ngày hợp lệ."));
        }

        if (to is not null && !to.IsValid())
        {
            violations.Add(new FieldViolation(toField, "Not a calendar date.", "Không phải ngày hợp lệ."));
        }

        if (violations.Count == 0 && from is not null && to is not null && from.ToDateOnly() > to.ToDateOnly())
        {
            violations.Add(new FieldViolation(toField, "The end of the range is before its start.", "Ngày kết thúc trước ngày bắt đầu."));
        }

        return violations.Count > 0
            ? throw new InvalidArgumentException(violations)
            : (from?.ToDateOnly(), to?.ToDateOnly());
    }

    /// <summary>A required [from, to] range of calendar days.</summary>
    private static (DateOnly From, DateOnly To) RequiredRange(Google.Type.Date from, Google.Type.Date to)
    {
        var (f, t) = OptionalRange(from, to, "from", "to");
        return (f!.Value, t!.Value);
    }

    /// <summary>The committee as projected from membership events; a caller of another committee is refused.</summary>
    private Task<CommitteeView> CommitteeAsync(string committeeId, ServerCallContext context) =>
        membership.RequireCommitteeAsync(context.Caller(), committeeId, context.CancellationToken);
}
