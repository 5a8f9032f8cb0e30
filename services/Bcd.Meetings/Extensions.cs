using Bcd.Contracts.Events.V1;
using Bcd.Meetings.Domain;
using Bcd.Meetings.Storage;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.EventBus;

namespace Bcd.Meetings;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventBus(events => events
            .Publishes<MeetingConvened>()
            .Publishes<MeetingHeld>()
            .Publishes<MeetingCancelled>()
            .Publishes<ConclusionIssued>()
            .Publishes<ConclusionAcknowledged>()
            .Publishes<ConsultationDecided>()
            // The local read model of membership (authority checks never call membership).
            .SubscribesToMembership());

        builder.Services.AddMembershipProjection();
        builder.Services.AddSingleton<MeetingsRepository>();
        builder.Services.AddSingleton<CommitteeTurns>();
        builder.Services.AddOptions<MeetingsOptions>()
            .Bind(builder.Configuration.GetSection(MeetingsOptions.Section))
            .Validate(o => Valid(o), "Meetings settings out of range (AbsenceCutoffDaysBefore 0–30, UnacknowledgedAfterDays 1–365).")
            .ValidateOnStart();
    }

    private static bool Valid(MeetingsOptions options)
    {
        try
        {
            options.Default.Validate();
            foreach (var settings in options.Committees.Values)
            {
                settings.Validate();
            }

            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
