using System.Diagnostics;
using Grpc.Core;
using OpenTelemetry;

namespace Bcd.Benchmarks;

/// <summary>
/// The C# load generator used for all four scenarios: <c>concurrency</c> async loops, each issuing one
/// call, awaiting it, and issuing the next (closed loop), over a few shared GrpcChannels. Every call's
/// latency is taken with Stopwatch. Each loop stops at the deadline or after its share of
/// <c>maxRequests</c>, whichever comes first; a call still running 10 s past the deadline is cancelled.
/// </summary>
internal static class ClosedLoopLoad
{
    /// <summary>One call: worker index and the worker's call number; returns when the call completes.</summary>
    public delegate Task Call(int worker, long sequence, CancellationToken cancellationToken);

    public static async Task<Measurement> RunAsync(string scenario, Call call, int concurrency, TimeSpan duration, long maxRequests)
    {
        var perWorker = Math.Max(1, maxRequests / concurrency);
        using var hardStop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(10));
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<WorkerResult>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(() => WorkerAsync(worker, call, stopAt, perWorker, hardStop.Token));
        }

        var results = await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var latencies = new long[results.Sum(r => r.Latencies.Count)];
        var offset = 0;
        foreach (var r in results)
        {
            r.Latencies.CopyTo(latencies, offset);
            offset += r.Latencies.Count;
        }

        Array.Sort(latencies);
        var ticksPerMs = Stopwatch.Frequency / 1000.0;
        return new Measurement(
            scenario,
            latencies.Length,
            results.Sum(r => r.Errors),
            seconds,
            Measurement.Percentile(latencies, 0.50, ticksPerMs),
            Measurement.Percentile(latencies, 0.99, ticksPerMs),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    private static async Task<WorkerResult> WorkerAsync(int worker, Call call, long stopAt, long maxCalls, CancellationToken hardStop)
    {
        // The services in this process register OpenTelemetry's HttpClient instrumentation, which
        // would also trace the generator's own calls; keep the generator out of it so its cost stays
        // the same for every scenario and as low as possible. Server-side tracing is untouched.
        using var untraced = SuppressInstrumentationScope.Begin();
        var latencies = new List<long>(16_384);
        long errors = 0;
        string? firstError = null;
        for (long sequence = 0; sequence < maxCalls; sequence++)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= stopAt || hardStop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await call(worker, sequence, hardStop);
                latencies.Add(Stopwatch.GetTimestamp() - start);
            }
            catch (RpcException ex)
            {
                errors++;
                firstError ??= $"{ex.StatusCode}: {ex.Status.Detail}";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
            {
                errors++;
                firstError ??= $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        return new WorkerResult(latencies, errors, firstError);
    }

    private sealed record WorkerResult(List<long> Latencies, long Errors, string? FirstError);
}
