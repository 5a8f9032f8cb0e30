using Bcd.Contracts.Events.V1;
using Bcd.Membership.Storage;
using Bcd.ServiceDefaults.EventBus;

namespace Bcd.Membership;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventBus(events => events
            .Publishes<CommitteeCreated>()
            .Publishes<AgencyRegistered>()
            .Publishes<MemberAppointed>()
            .Publishes<MemberReplaced>()
            .Publishes<MemberRemoved>()
            .Publishes<DelegationGranted>()
            .Publishes<DelegationRevoked>()
            .Publishes<WorkingGroupFormed>()
            .Publishes<WorkingGroupReformed>()
            .Publishes<SecondmentRecorded>());

        builder.Services.AddSingleton<MembershipRepository>();
        if (builder.Configuration.GetValue<bool>("Seed:BacNinh"))
        {
            builder.Services.AddHostedService<SeedLoader>();
        }
    }
}
