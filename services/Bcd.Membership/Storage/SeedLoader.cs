using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;

namespace Bcd.Membership.Storage;

/// <summary>
/// Local mode (Seed:BacNinh = true): loads the Bắc Ninh committee on first start. Idempotent: the
/// whole seed is one change set that requires the committee not to exist, so a second start, or two
/// replicas starting together, write it once.
/// </summary>
public sealed partial class SeedLoader(MembershipRepository repository, TimeProvider time, ILogger<SeedLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await repository.Store.Database.KeyExistsAsync(repository.CommitteeKey(BacNinhSeed.CommitteeId)))
        {
            LogSkipped(logger, BacNinhSeed.CommitteeId);
            return;
        }

        var founded = BacNinhSeed.Build(time);
        var changes = repository.Store.NewChangeSet();
        repository.WriteFounding(changes, founded, BacNinhSeed.SeedActor, new ActingCapacity(BacNinhSeed.SeedActor.PersonId, "SEED", null), "seed-bac-ninh");
        try
        {
            await repository.Store.CommitAsync(changes);
            LogSeeded(logger, BacNinhSeed.CommitteeId);
        }
        catch (ConcurrencyConflictException)
        {
            LogSkipped(logger, BacNinhSeed.CommitteeId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded committee {CommitteeId}")]
    private static partial void LogSeeded(ILogger logger, string committeeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Committee {CommitteeId} exists; seed skipped")]
    private static partial void LogSkipped(ILogger logger, string committeeId);
}
