using Bcd.Contracts.Events.V1;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.EventBus;
using Bcd.Tasks.Domain;
using Bcd.Tasks.IntegrationEvents;
using Bcd.Tasks.Reminders;
using Bcd.Tasks.Storage;

namespace Bcd.Tasks;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventBus(events => events
            .Publishes<TaskAssigned>()
            .Publishes<TaskProgressReported>()
            .Publishes<TaskDeadlineChangeDecided>()
            .Publishes<TaskDueSoon>()
            .Publishes<TaskOverdue>()
            .Publishes<ObstacleRaised>()
            .Publishes<ObstacleResolved>()
            .Publishes<GroupReportSubmitted>()
            .Publishes<CriteriaVersionPublished>()
            .Publishes<ScoringRoundPublished>()
            .Publishes<ProposalDecided>()
            // T2: tasks from conclusions (meetings) and from inspection recommendations (inspections).
            .Subscribes<ConclusionIssued, ConclusionIssuedHandler>()
            .Subscribes<RecommendationIssued, RecommendationIssuedHandler>()
            // The local read model of membership for every authority check (membership is never called).
            .SubscribesToMembership());

        builder.Services.AddMembershipProjection();
        builder.Services.AddSingleton<TasksRepository>();
        builder.Services.AddSingleton<ScoringRepository>();
        builder.Services.AddOptions<TasksOptions>()
            .Bind(builder.Configuration.GetSection(TasksOptions.Section))
            .Validate(o => o.IsValid(), "Tasks settings out of range (Reminders:DueSoonDays each 1–90, Reminders:ScanSeconds 1–3600).")
            .ValidateOnStart();
        builder.Services.AddHostedService<ReminderScanner>();
    }
}
