using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using System.Text.Json;
using Bcd.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Bcd.Projections.Membership.Tests.MembershipHistory;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>One redis-server for the functional tests of this assembly; each test flushes it before starting its app.</summary>
[CollectionDefinition(Name)]
public sealed class TasksRedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "tasks-redis";
}

/// <summary>
/// The tasks app started in-process on real sockets against the shared Redis (flushed first), with a
/// fake clock at 1/9/2026 09:00 in Hà Nội and its membership projection fed the Bắc Ninh committee
/// (Head, a Deputy Head, two members, working group WG-STI-DX led by Sở KH&amp;CN) through the app's own
/// dispatcher and inbox, exactly as the transports deliver membership's events.
/// </summary>
internal sealed class TasksHost : IAsyncDisposable
{
    public const string OtherCommitteeId = "ha-noi";
    public const string GroupId = "wg-sti-dx";
    public const string StandingAgencyStaff = "can-bo-ca";

    public static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    /// <summary>The clock when each test starts: Tuesday 1/9/2026 09:00 in Hà Nội.</summary>
    public static readonly DateTimeOffset Start = new(2026, 9, 1, 9, 0, 0, Vn);

    public static readonly string HeadToken = TestTokens.For(Head, CommitteeId, "ubnd-tinh", "Bắc Ninh", "Phạm Hoàng Sơn");
    public static readonly string DeputyToken = TestTokens.For(Deputy, CommitteeId, "ubnd-tinh", name: "Phó Chủ tịch UBND tỉnh");
    public static readonly string KhcnToken = TestTokens.For(MemberKhcn, CommitteeId, "so-khcn", name: "Giám đốc Sở KH&CN");
    public static readonly string KhcnStaffToken = TestTokens.For("chuyen-vien-so-khcn", CommitteeId, "so-khcn", name: "Chuyên viên Sở KH&CN");
    public static readonly string NoiVuToken = TestTokens.For(MemberNoiVu, CommitteeId, "so-noi-vu", name: "Giám đốc Sở Nội vụ");
    public static readonly string StandingAgencyToken = TestTokens.For(StandingAgencyStaff, CommitteeId, StandingAgencyId, name: "Cán bộ Công an tỉnh");
    public static readonly string OtherCommitteeToken = TestTokens.For("chu-tich-ha-noi", OtherCommitteeId, "ubnd-ha-noi");

    private TasksHost(TestApp app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Channel = app.CreateChannel();
        Tasks = new TasksService.TasksServiceClient(Channel);
        Scoring = new ScoringService.ScoringServiceClient(Channel);
    }

    public TestApp App { get; }

    public FakeTimeProvider Time { get; }

    public GrpcChannel Channel { get; }

    public TasksService.TasksServiceClient Tasks { get; }

    public ScoringService.ScoringServiceClient Scoring { get; }

    public static async Task<TasksHost> StartAsync(RedisFixture redis, params string[] settings)
    {
        await redis.Server.FlushAsync();
        var time = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(
            TasksApp.Create,
            Repo.Path("services", "Bcd.Tasks"),
            [$"--ConnectionStrings:redis={redis.Server.ConnectionString}", "--Service:Name=tasks", .. settings],
            b => b.Services.AddSingleton<TimeProvider>(time));
        var host = new TasksHost(app, time);
        await host.DeliverCommitteeAsync();
        return host;
    }

    /// <summary>A host around an app started by the test itself (e.g. a restart on a Redis that must not be flushed).</summary>
    public static TasksHost Attach(TestApp app, FakeTimeProvider time) => new(app, time);

    public static Metadata As(string token) => CallOptionsExtensions.Bearer(token);

    public static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    /// <summary>Delivers one event to the app as a transport would: through its dispatcher and inbox.</summary>
    public Task<DispatchOutcome> DeliverAsync(IMessage evt, string eventId, string source = "membership", string sequence = "") =>
        App.Services.GetRequiredService<IntegrationEventDispatcher>().DeliverAsync(evt, eventId, source, CommitteeId, Time.GetUtcNow(), sequence);

    private async Task DeliverCommitteeAsync()
    {
        IMessage[] events =
        [
            Committee(),
            Agency("ubnd-tinh", "UBND tỉnh Bắc Ninh"),
            Agency(StandingAgencyId, "Công an tỉnh Bắc Ninh"),
            Agency("so-khcn", "Sở Khoa học và Công nghệ"),
            Agency("so-noi-vu", "Sở Nội vụ"),
            Agency("so-tai-chinh", "Sở Tài chính"),
            Appointed(Seat("seat-head", "Trưởng Ban", Role.Head, "ubnd-tinh", Founded, Tenure(Head, "Phạm Hoàng Sơn", Founded))),
            Appointed(Seat("seat-deputy", "Phó Trưởng Ban", Role.DeputyHead, "ubnd-tinh", Founded, Tenure(Deputy, "Phó Chủ tịch UBND tỉnh", Founded))),
            Appointed(KhcnSeat(Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))),
            Appointed(Seat("seat-giam-doc-so-noi-vu", "Giám đốc Sở Nội vụ", Role.Member, "so-noi-vu", Founded,
                Tenure(MemberNoiVu, "Giám đốc Sở Nội vụ", Founded))),
            new WorkingGroupFormed
            {
                CommitteeId = CommitteeId,
                Group = Group(1, (MemberKhcn, "Giám đốc Sở KH&CN", "so-khcn", GroupRole.Leader), (MemberNoiVu, "Giám đốc Sở Nội vụ", "so-noi-vu", GroupRole.Member)),
            },
        ];
        for (var n = 0; n < events.Length; n++)
        {
            Assert.Equal(DispatchOutcome.Handled, await DeliverAsync(events[n], $"evt-membership-{n + 1}", sequence: Seq(n + 1)));
        }
    }

    // ---- helpers for tests ----------------------------------------------------------------------------

    public static Directive Directive(string lead = "so-khcn", DateOnly? deadline = null, string? assigner = null, string actingAs = "HEAD",
        params string[] coordinating)
    {
        var directive = new Directive
        {
            Work = "Triển khai nền tảng chia sẻ dữ liệu dùng chung của tỉnh",
            LeadAgencyId = lead,
            Deadline = (deadline ?? new DateOnly(2026, 9, 30)).ToProtoDate(),
            ExpectedResult = "Nền tảng vận hành, kết nối 20 cơ sở dữ liệu",
            AssigningAuthority = new AssigningAuthority { PersonId = assigner ?? Head, ActingAs = actingAs },
        };
        directive.CoordinatingAgencyIds.AddRange(coordinating);
        return directive;
    }

    public static AssignTaskRequest AssignRequest(Directive? directive = null, string? groupId = null) => new()
    {
        RequestId = NewRequestId(),
        CommitteeId = CommitteeId,
        Directive = directive ?? Directive(),
        Source = new TaskSource { Direction = new DirectionSource() },
        WorkingGroupId = groupId ?? string.Empty,
    };

    public async Task<AssignedTask> AssignAsync(Directive? directive = null, string? groupId = null, string? token = null) =>
        (await Tasks.AssignTaskAsync(AssignRequest(directive, groupId), As(token ?? HeadToken))).Task;

    public async Task<AssignedTask> ReportAsync(string taskId, int percent, string? token = null) =>
        (await Tasks.ReportProgressAsync(new ReportProgressRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = taskId, Percent = percent, Text = $"Đạt {percent}%",
        }, As(token ?? KhcnToken))).Task;

    /// <summary>
    /// How many distinct events of <paramref name="type"/> the app committed to its outbox. The outbox relay
    /// trims what it has handed to the transport (whole stream nodes, so large events go soon), so an event is
    /// in the outbox, in the transport's stream, or both: the outbox is read first, then the stream, and the
    /// event ids are counted once.
    /// </summary>
    public async Task<int> PublishedCountAsync(Google.Protobuf.Reflection.MessageDescriptor type)
    {
        var db = App.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in await db.StreamRangeAsync("tasks:outbox"))
        {
            if ((string?)entry["type"] == type.FullName)
            {
                ids.Add((string)entry["id"]!);
            }
        }

        foreach (var entry in await db.StreamRangeAsync(EventBusOptions.StreamKey(type.FullName)))
        {
            using var cloudEvent = JsonDocument.Parse((string)entry["cloudevent"]!);
            ids.Add(cloudEvent.RootElement.GetProperty("id").GetString()!);
        }

        return ids.Count;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.DisposeAsync();
    }
}
