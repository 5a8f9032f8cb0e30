// The benchmark command (README "Benchmark"): dotnet run -c Release --project tests/Bcd.Benchmarks
//
// Starts redis-server, the membership app (Bắc Ninh seed), the meetings app, the gateway and a trivial gRPC echo,
// all on 127.0.0.1 and in this process, then measures five unary gRPC calls with one load
// generator and prints req/s, p50, p99 and errors, plus three ratios next to their targets.
// Numbers are printed, never asserted: they depend on the machine and on whatever else runs on it.
//
// Why a C# generator for the main table: the write (RegisterAgency) needs a unique request_id and
// agency_id on every call (else the idempotency fast path answers from the stored response), and
// h2load sends one fixed body. So all four scenarios go through the same C# closed-loop generator
// (ClosedLoopLoad), which keeps the ratios fair: the generator's CPU cost on these shared cores is
// the same per call in every scenario. h2load, much cheaper per call, then measures the three
// fixed-body scenarios again as a second table (--no-h2load skips it).
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using Bcd.Benchmarks;
using Bcd.Benchmarks.Echo.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

const string CommitteeId = "bac-ninh";
var readToken = TestTokens.For("pham-hoang-son", committee: CommitteeId, agency: "ubnd-tinh", roles: "head");
var writeToken = TestTokens.For("can-bo-ca", committee: CommitteeId, agency: "cong-an-tinh");
var readHeaders = new Metadata { { "authorization", "Bearer " + readToken } };
var writeHeaders = new Metadata { { "authorization", "Bearer " + writeToken } };
var readRequest = new GetCommitteeRequest { CommitteeId = CommitteeId };
var echoRequest = new EchoRequest { Message = "xin chào" };
const string ReadMethod = "/bcd.membership.v1.MembershipService/GetCommittee";
const string EchoMethod = "/bench.v1.EchoService/Echo";

var total = Stopwatch.StartNew();
var duration = TimeSpan.FromSeconds(options.Duration);
var warmup = TimeSpan.FromSeconds(options.Warmup);
Console.WriteLine($"Bcd benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                  $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC; {options.Duration} s per scenario after {options.Warmup} s warm-up, " +
                  $"concurrency {options.Concurrency} over {options.Channels} channels; load average {LoadAverage()}.");

await using var redis = await RedisServer.StartAsync();
Progress($"redis-server on {redis.ConnectionString}");

await using var membership = await TestApp.StartAsync(Bcd.Membership.MembershipApp.Create, Repo.Path("services", "Bcd.Membership"),
[
    $"--ConnectionStrings:redis={redis.ConnectionString}",
    "--Seed:BacNinh=true",
    "--Logging:LogLevel:Default=Warning",
]);
await WaitForSeedAsync(membership.GrpcAddress);
Progress($"membership gRPC on {membership.GrpcAddress} (committee {CommitteeId} seeded)");

// Not "await using": it is stopped right after its scenario (below), so its projection does not
// spend CPU applying the thousands of AgencyRegistered events the membership write scenario makes.
var meetings = await TestApp.StartAsync(Bcd.Meetings.MeetingsApp.Create, Repo.Path("services", "Bcd.Meetings"),
[
    $"--ConnectionStrings:redis={redis.ConnectionString}",
    "--Logging:LogLevel:Default=Warning",
]);
var standingAgencyHeaders = new Metadata { { "authorization", "Bearer " + TestTokens.For("can-bo-ca", committee: CommitteeId, agency: "cong-an-tinh") } };
var heldMeetingIds = await MeetingsSetup.HoldMeetingsAsync(meetings.GrpcAddress, CommitteeId, readHeaders, standingAgencyHeaders, 200);
Progress($"meetings gRPC on {meetings.GrpcAddress} ({heldMeetingIds.Length} meetings held)");

// Issue 5 first, while nothing else loads the cores: the tasks app on the same Redis (redis transport),
// fed by membership's and meetings' events; stopped afterwards so it does not apply the later scenarios' events.
var runId = "b" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
if (options.Tasks)
{
    await using var tasks = await TestApp.StartAsync(Bcd.Tasks.TasksApp.Create, Repo.Path("services", "Bcd.Tasks"),
    [
        $"--ConnectionStrings:redis={redis.ConnectionString}",
        "--Logging:LogLevel:Default=Warning",
    ]);
    Progress($"tasks gRPC on {tasks.GrpcAddress}");
    await TasksBenchmark.RunAsync(tasks, meetings.GrpcAddress, membership.GrpcAddress, heldMeetingIds, CommitteeId,
        readHeaders, standingAgencyHeaders, runId, options);
    Console.WriteLine();
}

await using var gateway = await TestApp.StartAsync(Bcd.Gateway.GatewayApp.Create, Repo.Path("gateway", "Bcd.Gateway"),
[
    $"--ReverseProxy:Clusters:membership:Destinations:d1:Address={membership.GrpcAddress}",
    // Far above anything this machine can reach, so the limiter never rejects a benchmark call.
    "--RateLimiting:PermitLimit=100000000",
    "--Logging:LogLevel:Default=Warning",
    // h2load ends a run by closing its connections with calls in flight; the gateway and YARP log
    // each of those as a warning with a stack trace. Real failures still count as client errors.
    "--Logging:LogLevel:Bcd.Gateway.Forwarder=Error",
    "--Logging:LogLevel:Yarp=Error",
]);
Progress($"gateway gRPC on {gateway.GrpcAddress}");

await using var echo = await EchoHost.StartAsync();
Progress($"echo gRPC on {echo.Address}");

// ---- Scenarios --------------------------------------------------------------------------------

long writeCounter = 0;
long conclusionCounter = 0;
long conclusionRetries = 0;
var scenarios = new[]
{
    new Scenario("conclusion 20 dir.", MeetingsSetup.IssueMethod, meetings.GrpcAddress, null, readToken, channels =>
    {
        var clients = channels.Select(c => new Bcd.Contracts.Meetings.V1.MeetingsService.MeetingsServiceClient(c)).ToArray();
        return async (w, _, ct) =>
        {
            // Notice numbers are consecutive per committee and year, so concurrent issuers of one
            // committee race for the next number; the loser gets ABORTED and, as gRPC advises, retries.
            var n = Interlocked.Increment(ref conclusionCounter);
            var request = MeetingsSetup.Conclusion($"{runId}-tb-{n}", CommitteeId, heldMeetingIds[n % heldMeetingIds.Length], "pham-hoang-son");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await clients[w % clients.Length].IssueConclusionAsync(request, readHeaders, cancellationToken: ct);
                    return;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && attempt < 50)
                {
                    Interlocked.Increment(ref conclusionRetries);
                }
            }
        };
    }),
    new Scenario("echo", EchoMethod, echo.Address, echoRequest, null, channels =>
    {
        var clients = channels.Select(c => new EchoService.EchoServiceClient(c)).ToArray();
        return (w, _, ct) => clients[w % clients.Length].EchoAsync(echoRequest, cancellationToken: ct).ResponseAsync;
    }),
    new Scenario("read direct", ReadMethod, membership.GrpcAddress, readRequest, readToken, channels =>
    {
        var clients = channels.Select(c => new MembershipService.MembershipServiceClient(c)).ToArray();
        return (w, _, ct) => clients[w % clients.Length].GetCommitteeAsync(readRequest, readHeaders, cancellationToken: ct).ResponseAsync;
    }),
    new Scenario("read via gateway", ReadMethod, gateway.GrpcAddress, readRequest, readToken, channels =>
    {
        var clients = channels.Select(c => new MembershipService.MembershipServiceClient(c)).ToArray();
        return (w, _, ct) => clients[w % clients.Length].GetCommitteeAsync(readRequest, readHeaders, cancellationToken: ct).ResponseAsync;
    }),
    new Scenario("write direct", "/bcd.membership.v1.MembershipService/RegisterAgency", membership.GrpcAddress, null, writeToken, channels =>
    {
        var clients = channels.Select(c => new MembershipService.MembershipServiceClient(c)).ToArray();
        return (w, _, ct) =>
        {
            // A new request_id and agency_id on every call (warm-up included): never an idempotent replay.
            var n = Interlocked.Increment(ref writeCounter);
            var request = new RegisterAgencyRequest
            {
                RequestId = $"{runId}-req-{n}",
                CommitteeId = CommitteeId,
                AgencyId = $"{runId}-agency-{n}",
                Name = $"Cơ quan thử tải {n}",
                Kind = AgencyKind.Department,
            };
            return clients[w % clients.Length].RegisterAgencyAsync(request, writeHeaders, cancellationToken: ct).ResponseAsync;
        };
    }),
};

// ---- C# generator: all four --------------------------------------------------------------------

var csharp = new List<Measurement>();
foreach (var scenario in scenarios)
{
    var channels = Enumerable.Range(0, options.Channels).Select(_ => GrpcChannel.ForAddress(scenario.Address)).ToArray();
    try
    {
        var call = scenario.Bind(channels);
        // One call first: a scenario that cannot succeed once is reported, not measured.
        var probe = await ProbeAsync(call);
        if (probe is not null)
        {
            csharp.Add(Measurement.Failed(scenario.Name, probe));
            Progress($"{scenario.Name}: probe failed: {probe}");
            continue;
        }

        if (warmup > TimeSpan.Zero)
        {
            await ClosedLoopLoad.RunAsync(scenario.Name, call, options.Concurrency, warmup, options.MaxRequests);
        }

        var measured = await ClosedLoopLoad.RunAsync(scenario.Name, call, options.Concurrency, duration, options.MaxRequests);
        csharp.Add(measured);
        Progress($"{scenario.Name}: {measured.RequestsPerSecond:N0} req/s (C#)");
    }
    finally
    {
        if (scenario.Address == meetings.GrpcAddress)
        {
            await meetings.DisposeAsync();
        }

        foreach (var channel in channels)
        {
            channel.Dispose();
        }
    }
}

// ---- h2load: the fixed-body scenarios ----------------------------------------------------------

var h2load = new List<Measurement>();
var h2loadBinary = options.H2Load ? H2LoadRunner.FindBinary() : null;
if (options.H2Load && h2loadBinary is null)
{
    Progress("h2load not found (Debian package nghttp2-client): second table skipped");
}
else if (h2loadBinary is not null)
{
    var work = Directory.CreateTempSubdirectory("bcd-bench-");
    try
    {
        foreach (var scenario in scenarios.Where(s => s.FixedRequest is not null))
        {
            if (csharp.FirstOrDefault(m => m.Scenario == scenario.Name) is { Succeeded: 0 } failed)
            {
                // Its probe failed above; h2load would count the gRPC errors as successes (HTTP 200).
                h2load.Add(Measurement.Failed(scenario.Name, failed.FirstError ?? "probe failed"));
                continue;
            }

            // The servers are already warm from the C# pass: one second of h2load warm-up is enough.
            var measured = await H2LoadRunner.RunAsync(h2loadBinary, scenario.Name, scenario.Address, scenario.Method, scenario.FixedRequest!,
                scenario.Token, options.H2LoadClients, options.H2LoadStreams, TimeSpan.FromSeconds(Math.Min(options.Warmup, 1)), duration, work.FullName);
            h2load.Add(measured);
            Progress($"{scenario.Name}: {measured.RequestsPerSecond:N0} req/s (h2load)");
        }
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

// ---- Report --------------------------------------------------------------------------------------

Console.WriteLine();
Report.Table($"C# closed loop (Grpc.Net.Client, in-process): concurrency {options.Concurrency}, {options.Channels} channels", scenarios, csharp);
Console.WriteLine($"  conclusion 20 dir.: {conclusionRetries:N0} ABORTED retries over {conclusionCounter:N0} notices (the per-committee notice number is taken in turn; latency includes retries)");
Report.Ratios(csharp);
if (h2load.Count > 0)
{
    Console.WriteLine();
    Report.Table($"h2load -c {options.H2LoadClients} -m {options.H2LoadStreams} -t 1 (fixed request body; no write)", scenarios, h2load);
    Report.Ratios(h2load);
}

Console.WriteLine();
Console.WriteLine($"Whole run: {total.Elapsed.TotalSeconds:F0} s; load average now {LoadAverage()} " +
                  "(other work on these cores lowers every figure). Numbers are printed, never asserted.");
return 0;

static void Progress(string message) => Console.WriteLine($"  · {message}");

// 1-minute load average (Linux); the run shares its cores with whatever else is running.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

// The seed is written by a hosted service while the app starts; wait until GetCommittee answers.
async Task WaitForSeedAsync(Uri address)
{
    using var channel = GrpcChannel.ForAddress(address);
    var client = new MembershipService.MembershipServiceClient(channel);
    var deadline = DateTime.UtcNow.AddSeconds(30);
    for (var attempt = 0; attempt < 300; attempt++)
    {
        try
        {
            await client.GetCommitteeAsync(readRequest, readHeaders, deadline: DateTime.UtcNow.AddSeconds(5));
            return;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unavailable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    throw new TimeoutException($"Committee {CommitteeId} was not seeded within 30 s.");
}

static async Task<string?> ProbeAsync(ClosedLoopLoad.Call call)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    try
    {
        await call(0, 0, timeout.Token);
        return null;
    }
    catch (RpcException ex)
    {
        return $"{ex.StatusCode}: {ex.Status.Detail}";
    }
    catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
    {
        return $"{ex.GetType().Name}: {ex.Message}";
    }
}

/// <summary>One unary RPC to measure. <see cref="FixedRequest"/> is set when every call may send the same bytes (h2load).</summary>
internal sealed record Scenario(string Name, string Method, Uri Address, IMessage? FixedRequest, string? Token,
    Func<GrpcChannel[], ClosedLoopLoad.Call> Bind);
