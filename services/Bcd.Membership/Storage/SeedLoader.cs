using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;
using StackExchange.Redis;

namespace Bcd.Membership.Storage;

/// <summary>
/// Local mode (Seed:BacNinh = true): loads the Bắc Ninh committee on first start. Idempotent: the
/// whole seed is one change set that requires the committee not to exist, so a second start, or two
/// replicas starting together, write it once. If Redis is not reachable yet the service still starts
/// (and reports not ready) while the seed is retried in the background.
/// </summary>
public sealed partial class SeedLoader(MembershipRepository repository, TimeProvider time, ILogger<SeedLoader> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _retries = Task.CompletedTask;

    /// <summary>Seeds before the service starts answering; if Redis is not there yet, keeps trying in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SeedAsync();
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            LogRetry(logger, ex);
            _retries = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retries.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RetryAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                await SeedAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                LogRetry(logger, ex);
            }
        }
    }

    private async Task SeedAsync()
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
        catch (Exception ex) when (ex is AlreadyExistsException or RuleViolationException or ConcurrencyConflictException)
        {
            // Another replica seeded first.
            LogSkipped(logger, BacNinhSeed.CommitteeId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded committee {CommitteeId}")]
    private static partial void LogSeeded(ILogger logger, string committeeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Committee {CommitteeId} exists; seed skipped")]
    private static partial void LogSkipped(ILogger logger, string committeeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis not reachable yet; seeding again in 2 s")]
    private static partial void LogRetry(ILogger logger, Exception ex);
}
