using System.Collections.Concurrent;

namespace Bcd.Meetings.Storage;

/// <summary>
/// Takes turns per committee inside one replica. Notice numbers are consecutive per committee and
/// year (G4), so two issuers of one committee always contend for the same counter: in turn, the
/// second reads the number the first took instead of losing the race and starting over. Replicas
/// still race each other; the counter's version check settles that (ABORTED, retried).
/// </summary>
public sealed class CommitteeTurns
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);

    public async Task<IDisposable> WaitAsync(string committeeId, CancellationToken ct)
    {
        var turn = _turns.GetOrAdd(committeeId, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(ct);
        return new Release(turn);
    }

    private sealed class Release(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
