using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Time;
using Bcd.Tasks.Domain;
using Bcd.Tasks.Storage;
using Microsoft.Extensions.Options;

namespace Bcd.Tasks.Reminders;

/// <summary>
/// Sends the "due soon" and "overdue" reminders (TaskDueSoon, TaskOverdue), each once per task and
/// threshold. The clock is the TimeProvider; what was sent is part of the task (reminders_sent), saved
/// with the events in one commit, so a restart — or a second replica scanning at the same time, which
/// loses the version race — never sends one twice. The scan runs on the replica holding the lease.
/// </summary>
public sealed partial class ReminderScanner(
    TasksRepository repository, IOptions<TasksOptions> options, TimeProvider time, ILogger<ReminderScanner> logger) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.Reminders.ScanSeconds);
        var lease = repository.Store.Keys.Prefix + "reminders:lease";
        using var timer = new PeriodicTimer(period, time);
        do
        {
            try
            {
                // One replica scans: it holds a lease of one period and renews it at each tick; if it
                // stops, another takes the lease within a period. (Two scanning would still send each
                // reminder once — the task's version decides — but would load every task twice.)
                var db = repository.Store.Database;
                if (await db.LockExtendAsync(lease, _owner, period * 2) || await db.LockTakeAsync(lease, _owner, period * 2))
                {
                    await ScanAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Redis away for a moment: the next tick tries again; nothing was half-sent.
                LogScanFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over the open tasks; returns how many reminders it sent.</summary>
    public async Task<int> ScanAsync(CancellationToken ct = default)
    {
        var thresholds = options.Value.Reminders.DueSoonDays;
        var now = time.GetUtcNow();
        var horizon = ProvinceTime.DateOf(now).AddDays(thresholds.Max());
        var sent = 0;
        // Loaded in batches; a task carries its stored version (AssignedTask.version), which the commit checks.
        foreach (var batch in (await repository.OpenTasksDueByAsync(horizon)).Chunk(200))
        {
            ct.ThrowIfCancellationRequested();
            var committees = batch.ToDictionary(c => c.TaskId, c => c.CommitteeId, StringComparer.Ordinal);
            foreach (var stored in await repository.LoadByIdsAsync(committees.Keys))
            {
                var task = new TaskAggregate(stored.Clone());
                var due = task.DueReminders(now, thresholds);
                if (due.Count == 0 || committees[stored.TaskId] != stored.CommitteeId)
                {
                    continue;
                }

                var events = task.SendReminders(due, thresholds, now);
                var changes = repository.Store.NewChangeSet();
                repository.Save(changes, task.State, stored, stored.Version);
                foreach (var evt in events)
                {
                    changes.Publish(evt, stored.CommitteeId);
                }

                try
                {
                    await repository.Store.CommitAsync(changes);
                    sent += events.Count;
                }
                catch (ConcurrencyConflictException)
                {
                    // The task changed meanwhile (a report, another scanner): the next pass decides again.
                }
            }
        }

        return sent;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder scan failed; retrying at the next tick")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
