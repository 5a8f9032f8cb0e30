using Bcd.Contracts.Events.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.Tasks.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.Tasks.Storage;

namespace Bcd.Tasks.IntegrationEvents;

/// <summary>
/// T2: every directive of an issued notice of conclusions becomes one task. Exactly once: the inbox
/// mark stops a redelivery of the same event, and the task ids derive from the notice and the
/// directive's position, so a replay after the inbox has forgotten the event, or a restart between
/// two attempts, finds the tasks there and creates nothing. The whole notice commits together.
/// </summary>
public sealed class ConclusionIssuedHandler(TasksRepository repository) : IIntegrationEventHandler<ConclusionIssued>
{
    // Another delivery created the task meanwhile: a conflict makes the dispatcher run this again, and skip it.
    internal static Func<DomainException> RaceLost(TasksRepository repository, Contracts.Tasks.V1.AssignedTask task) =>
        () => new ConcurrencyConflictException(repository.TaskKey(task.TaskId));

    public async Task HandleAsync(ConclusionIssued evt, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        var notice = evt.Notice ?? throw new MalformedEventException("ConclusionIssued carries no notice.");
        for (var item = 0; item < notice.Items.Count; item++)
        {
            for (var directive = 0; directive < notice.Items[item].Directives.Count; directive++)
            {
                if (await repository.ExistsAsync(TaskAggregate.ConclusionTaskId(notice.NoticeId, item, directive)))
                {
                    continue;
                }

                var task = TaskAggregate.FromConclusion(notice, item, directive).State;
                repository.Add(context.Changes, task, RaceLost(repository, task));
                context.Changes.Publish(new TaskAssigned { Task = task, OccurredAt = evt.OccurredAt, Actor = task.AssignedBy }, task.CommitteeId);
            }
        }
    }
}

/// <summary>T2, I4: the follow-up of an inspection recommendation becomes one task, once.</summary>
public sealed class RecommendationIssuedHandler(TasksRepository repository, ScoringRepository scoring) : IIntegrationEventHandler<RecommendationIssued>
{
    public async Task HandleAsync(RecommendationIssued evt, IntegrationEventContext context, CancellationToken cancellationToken)
    {
        if (evt.RecommendationId.Length == 0 || evt.AgencyId.Length == 0 || evt.OccurredAt is null)
        {
            throw new MalformedEventException("RecommendationIssued needs a recommendation id, an agency and a time.");
        }

        // T6/I6: the finding counts against the inspected agency in scoring, whether or not a follow-up task is set.
        scoring.RecordFinding(context.Changes, evt);

        if (evt.FollowUp is null || await repository.ExistsAsync(TaskAggregate.RecommendationTaskId(evt.RecommendationId)))
        {
            return;
        }

        var task = TaskAggregate.FromRecommendation(evt).State;
        repository.Add(context.Changes, task, ConclusionIssuedHandler.RaceLost(repository, task));
        context.Changes.Publish(new TaskAssigned { Task = task, OccurredAt = evt.OccurredAt, Actor = task.AssignedBy }, task.CommitteeId);
    }
}

