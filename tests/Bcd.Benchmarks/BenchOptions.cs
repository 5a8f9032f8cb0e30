using System.Globalization;

namespace Bcd.Benchmarks;

/// <summary>Command-line settings: <c>--duration 8 --warmup 6 --concurrency 32</c> (or <c>--name=value</c>).</summary>
internal sealed record BenchOptions
{
    /// <summary>Measured seconds per scenario.</summary>
    public int Duration { get; init; } = 8;

    /// <summary>Unmeasured seconds before each scenario.</summary>
    // Tiered JIT and dynamic PGO keep improving the servers for several seconds; shorter warm-ups measured 30–40% low.
    public int Warmup { get; init; } = 6;

    /// <summary>Calls in flight at once (C# loops, and h2load clients x streams).</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>GrpcChannels (HTTP/2 connections) the C# loops share.</summary>
    public int Channels { get; init; } = 4;

    /// <summary>Hard cap on calls per scenario run, whatever the duration.</summary>
    public long MaxRequests { get; init; } = 5_000_000;

    /// <summary>Also measure echo and the reads with h2load (a second table).</summary>
    public bool H2Load { get; init; } = true;

    public int H2LoadClients { get; init; }

    /// <summary>Run the tasks and scoring figures (issue 5) first; --no-tasks skips them.</summary>
    public bool Tasks { get; init; } = true;

    public int H2LoadStreams { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'. {Usage}");
            }

            string name, value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else if (arg is "--no-h2load" or "--no-tasks" or "--help" or "-h")
            {
                name = arg[2..];
                value = string.Empty;
            }
            else
            {
                name = arg[2..];
                value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value. {Usage}");
            }

            options = name.ToLowerInvariant() switch
            {
                "duration" => options with { Duration = Int(value, 1, 120, name) },
                "warmup" or "warm-up" => options with { Warmup = Int(value, 0, 60, name) },
                "concurrency" => options with { Concurrency = Int(value, 1, 1024, name) },
                "channels" => options with { Channels = Int(value, 1, 64, name) },
                "max-requests" => options with { MaxRequests = Int(value, 1, 100_000_000, name) },
                "h2load" => options with { H2Load = bool.Parse(value) },
                "no-h2load" => options with { H2Load = false },
                "no-tasks" => options with { Tasks = false },
                "h2load-clients" => options with { H2LoadClients = Int(value, 1, 256, name) },
                "h2load-streams" => options with { H2LoadStreams = Int(value, 1, 1024, name) },
                "help" or "h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown option --{name}. {Usage}"),
            };
        }

        // h2load keeps the same number of calls in flight as the C# loops unless told otherwise.
        var clients = options.H2LoadClients > 0 ? options.H2LoadClients : Math.Min(8, options.Concurrency);
        var streams = options.H2LoadStreams > 0 ? options.H2LoadStreams : Math.Max(1, (options.Concurrency + clients - 1) / clients);
        return options with { Channels = Math.Min(options.Channels, options.Concurrency), H2LoadClients = clients, H2LoadStreams = streams };
    }

    public const string Usage =
        "Usage: dotnet run -c Release --project tests/Bcd.Benchmarks -- [--duration 8] [--warmup 6] " +
        "[--concurrency 32] [--channels 4] [--max-requests 5000000] [--no-h2load] [--no-tasks] [--h2load-clients N] [--h2load-streams N]";

    private static int Int(string value, int min, int max, string name)
    {
        var parsed = int.Parse(value, CultureInfo.InvariantCulture);
        return parsed < min || parsed > max
            ? throw new ArgumentOutOfRangeException(name, parsed, $"--{name} must be between {min} and {max}.")
            : parsed;
    }
}
