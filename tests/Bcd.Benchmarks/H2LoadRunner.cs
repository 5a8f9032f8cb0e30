using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;

namespace Bcd.Benchmarks;

/// <summary>
/// Runs nghttp2's h2load against a unary gRPC method with one fixed request, framed as a gRPC
/// message (a 0 byte, a 4-byte big-endian length, the protobuf bytes). h2load prints req/s and
/// mean/max latency but no percentiles, so p50/p99 come from its <c>--log-file</c> (one row per
/// request: start µs, HTTP status, µs to end of response). It sees HTTP statuses, not grpc-status:
/// the caller checks one call with Grpc.Net.Client first.
/// </summary>
internal static partial class H2LoadRunner
{
    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Append("/usr/bin")
        .Select(dir => Path.Combine(dir, "h2load"))
        .FirstOrDefault(File.Exists);

    public static async Task<Measurement> RunAsync(string binary, string scenario, Uri address, string method, IMessage request,
        string? token, int clients, int streams, TimeSpan warmup, TimeSpan duration, string workDirectory)
    {
        if (!address.IsLoopback)
        {
            throw new InvalidOperationException("The benchmark only loads 127.0.0.1.");
        }

        var body = request.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)body.Length);
        body.CopyTo(frame, 5);
        var framePath = Path.Combine(workDirectory, $"{Slug(scenario)}.frame.bin");
        var logPath = Path.Combine(workDirectory, $"{Slug(scenario)}.log.tsv");
        await File.WriteAllBytesAsync(framePath, frame);

        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "-c", clients.ToString(CultureInfo.InvariantCulture),
            "-m", streams.ToString(CultureInfo.InvariantCulture),
            "-t", "1",
            "-D", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "-d", framePath,
            "-H", "content-type: application/grpc",
            "-H", "te: trailers",
            "--log-file", logPath,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (warmup > TimeSpan.Zero)
        {
            start.ArgumentList.Add("--warm-up-time");
            start.ArgumentList.Add(((int)warmup.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }

        if (token is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("authorization: Bearer " + token);
        }

        start.ArgumentList.Add(new Uri(address, method.TrimStart('/')).ToString());

        using var process = Process.Start(start) ?? throw new InvalidOperationException("h2load did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(warmup + duration + TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return Measurement.Failed(scenario, "h2load did not finish in time");
        }

        var output = await stdout;
        if (process.ExitCode != 0)
        {
            return Measurement.Failed(scenario, $"h2load exited {process.ExitCode}: {(await stderr).Trim()} {output.Trim()}");
        }

        return Parse(scenario, output, logPath, duration);
    }

    // With --warm-up-time, h2load counts, logs and divides by the main duration only ("finished in"
    // adds the warm-up), so the main duration is the measured time.
    private static Measurement Parse(string scenario, string output, string logPath, TimeSpan duration)
    {
        var requests = Requests().Match(output);
        var statuses = Statuses().Match(output);
        if (!requests.Success || !statuses.Success)
        {
            return Measurement.Failed(scenario, "unexpected h2load output: " + output.Trim());
        }

        var seconds = duration.TotalSeconds;
        long Group(Match m, string name) => long.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var ok = Group(statuses, "ok");
        var errors = Group(requests, "failed") + Group(requests, "errored") + Group(requests, "timeout")
                     + Group(statuses, "s3") + Group(statuses, "s4") + Group(statuses, "s5");

        // Latency of each successful (2xx) request, in µs, as h2load logged it.
        var latencies = new List<long>(1 << 20);
        foreach (var line in File.ReadLines(logPath))
        {
            var columns = line.Split('\t');
            if (columns.Length >= 3 && columns[1].StartsWith('2') &&
                long.TryParse(columns[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
            {
                latencies.Add(micros);
            }
        }

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        return new Measurement(scenario, ok, errors, seconds,
            Measurement.Percentile(sorted, 0.50, 1000.0), Measurement.Percentile(sorted, 0.99, 1000.0),
            errors > 0 ? "h2load: " + requests.Value + "; " + statuses.Value : null);
    }

    private static string Slug(string scenario) => NonWord().Replace(scenario, "-");

    [GeneratedRegex(@"requests: (?<total>\d+) total, (?<started>\d+) started, (?<done>\d+) done, (?<ok>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex Requests();

    [GeneratedRegex(@"status codes: (?<ok>\d+) 2xx, (?<s3>\d+) 3xx, (?<s4>\d+) 4xx, (?<s5>\d+) 5xx")]
    private static partial Regex Statuses();

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex NonWord();
}
