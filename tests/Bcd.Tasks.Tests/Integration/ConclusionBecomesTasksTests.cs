using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Events.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Tasks.V1;
using Bcd.Meetings;
using Bcd.Membership;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Bcd.Tasks.Tests.Integration;

/// <summary>
/// T2 end to end over the <c>redis</c> transport: the real membership (seeded with Bắc Ninh), meetings
/// and tasks apps in one process, each with a redis-server of its own for its state, talking only
/// through events on a fourth redis-server. Meetings runs on a fake clock so a meeting can be held
/// today; the event bus itself runs on real time.
/// </summary>
public sealed class ConclusionBecomesTasksTests : IAsyncLifetime
{
    private const string CommitteeId = "bac-ninh";
    private const string Head = "pham-hoang-son";

    private static readonly TimeSpan PollFor = TimeSpan.FromSeconds(20);
    private static readonly string HeadToken = TestTokens.For(Head, CommitteeId, "ubnd-tinh", "Bắc Ninh", "Phạm Hoàng Sơn");
    private static readonly string StandingAgencyToken = TestTokens.For("can-bo-ca", CommitteeId, "cong-an-tinh", name: "Cán bộ Công an tỉnh");

    private RedisServer _events = null!;
    private RedisServer _membershipStore = null!;
    private RedisServer _meetingsStore = null!;
    private RedisServer _tasksStore = null!;
    private TestApp _membership = null!;
    private TestApp _meetings = null!;
    private TestApp? _tasks;
    private FakeTimeProvider _meetingsClock = null!;

    public async Task InitializeAsync()
    {
        var servers = await Task.WhenAll(RedisServer.StartAsync(), RedisServer.StartAsync(), RedisServer.StartAsync(), RedisServer.StartAsync());
        (_events, _membershipStore, _meetingsStore, _tasksStore) = (servers[0], servers[1], servers[2], servers[3]);
        _membership = await TestApp.StartAsync(MembershipApp.Create, Repo.Path("services", "Bcd.Membership"),
            [.. Transport(_membershipStore), "--Seed:BacNinh=true"]);
        _meetingsClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _meetings = await TestApp.StartAsync(MeetingsApp.Create, Repo.Path("services", "Bcd.Meetings"), Transport(_meetingsStore),
            b => b.Services.AddSingleton<TimeProvider>(_meetingsClock));
        _tasks = await StartTasksAsync();
    }

    public async Task DisposeAsync()
    {
        if (_tasks is not null)
        {
            await _tasks.DisposeAsync();
        }

        await _meetings.DisposeAsync();
        await _membership.DisposeAsync();
        foreach (var server in new[] { _tasksStore, _meetingsStore, _membershipStore, _events })
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task T2_ConclusionWithThreeDirectivesYieldsExactlyThreeTasks_ThroughRedeliveryAndRestarts()
    {
        // Both projections learn the committee from membership's seed events.
        await EventuallyAsync(async () => await TasksClient().ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken)));
        var meeting = await HeldMeetingAsync();

        // The tasks service is down when the conclusion is issued: the event waits in its stream.
        await _tasks!.DisposeAsync();
        _tasks = null;
        var notice = (await MeetingsClient().IssueConclusionAsync(Conclusion(meeting.MeetingId), As(HeadToken))).Notice;

        _tasks = await StartTasksAsync();
        var tasks = await EventuallyAsync(async () =>
        {
            var list = (await TasksClient().ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks;
            return list.Count == 3 ? list : throw new RpcException(new Status(StatusCode.Unavailable, $"{list.Count} tasks so far"));
        });

        // The service stops again; the transport delivers the event twice more: the entry is re-added
        // (at-least-once delivery) and the group is rewound as if nothing had been acknowledged.
        await _tasks.DisposeAsync();
        _tasks = null;
        var events = _events.Connection.GetDatabase();
        var stream = EventBusOptions.StreamKey(ConclusionIssued.Descriptor.FullName);
        var original = Assert.Single(await events.StreamRangeAsync(stream));
        await events.StreamAddAsync(stream, original.Values);
        await events.ExecuteAsync("XGROUP", "SETID", stream, "tasks", "0");
        _tasks = await StartTasksAsync();
        await EventuallyAsync(async () =>
        {
            var info = await events.StreamGroupInfoAsync(stream);
            var group = info.Single(g => g.Name == "tasks");
            return group.PendingMessageCount == 0 && group.LastDeliveredId == (await events.StreamRangeAsync(stream, "-", "+"))[^1].Id
                ? group
                : throw new RpcException(new Status(StatusCode.Unavailable, "redelivery not consumed yet"));
        });

        var after = (await TasksClient().ListTasksAsync(new ListTasksRequest { CommitteeId = CommitteeId }, As(HeadToken))).Tasks;
        Assert.Equal(3, after.Count);
        Assert.Equal(tasks.Select(t => t.TaskId).Order(), after.Select(t => t.TaskId).Order());
        Assert.All(after, t => Assert.Equal(notice.NoticeId, t.Source.Conclusion.NoticeId));
        Assert.Equal(["cong-an-tinh", "so-khcn", "so-noi-vu"], after.Select(t => t.Directive.LeadAgencyId).Order());
        // Published once each: the relay has emptied the outbox into the TaskAssigned topic by now.
        await EventuallyAsync(async () => await events.StreamLengthAsync(EventBusOptions.StreamKey(TaskAssigned.Descriptor.FullName)) == 3
            ? true
            : throw new RpcException(new Status(StatusCode.Unavailable, "relay not done")));
        await Task.Delay(500);
        Assert.Equal(3, await events.StreamLengthAsync(EventBusOptions.StreamKey(TaskAssigned.Descriptor.FullName)));
        // No shared database: the tasks store holds only the tasks service's keys.
        var keys = _tasksStore.Connection.GetServers()[0].Keys().Select(k => (string)k!).ToList();
        Assert.All(keys, key => Assert.StartsWith("tasks:", key, StringComparison.Ordinal));
    }

    private async Task<Meeting> HeldMeetingAsync()
    {
        var startsAt = _meetingsClock.GetUtcNow().AddHours(1);
        var convene = new ConveneMeetingRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            Kind = MeetingKind.AdHoc,
            Title = "Họp Ban Chỉ đạo đột xuất",
            StartsAt = Timestamp.FromDateTimeOffset(startsAt),
            EndsAt = Timestamp.FromDateTimeOffset(startsAt.AddHours(2)),
            Location = "Trụ sở UBND tỉnh Bắc Ninh",
        };
        var meetings = MeetingsClient();
        var meeting = (await EventuallyAsync(async () => await meetings.ConveneMeetingAsync(convene, As(HeadToken)))).Meeting;
        await meetings.FileProposalReportAsync(new FileProposalReportRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId,
            Report = new ProposalReport { Objectives = "Chỉ đạo chuyển đổi số", Participants = "Thành viên", TaskProgress = "Đang triển khai" },
        }, As(StandingAgencyToken));
        await meetings.ConfirmMeetingAsync(new ConfirmMeetingRequest { RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId },
            As(HeadToken));
        _meetingsClock.Advance(TimeSpan.FromHours(3));
        return (await meetings.RecordMeetingHeldAsync(new RecordMeetingHeldRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId, PresentSeatIds = { "seat-head" },
        }, As(HeadToken))).Meeting;
    }

    private IssueConclusionRequest Conclusion(string meetingId)
    {
        var deadline = ProvinceTime.DateOf(_meetingsClock.GetUtcNow()).AddDays(30).ToProtoDate();
        var item = new ConclusionItem { Text = "Đẩy mạnh chuyển đổi số gắn với Đề án 06" };
        foreach (var (lead, work) in new[] { ("so-khcn", "Xây dựng kho dữ liệu dùng chung"), ("so-noi-vu", "Số hóa hồ sơ cán bộ"), ("cong-an-tinh", "Làm sạch dữ liệu dân cư") })
        {
            item.Directives.Add(new Directive
            {
                Work = work, LeadAgencyId = lead, Deadline = deadline, ExpectedResult = "Báo cáo kết quả",
                AssigningAuthority = new AssigningAuthority { PersonId = Head, ActingAs = "HEAD" },
            });
        }

        return new IssueConclusionRequest { RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meetingId, Items = { item } };
    }

    private Task<TestApp> StartTasksAsync() =>
        TestApp.StartAsync(TasksApp.Create, Repo.Path("services", "Bcd.Tasks"), Transport(_tasksStore));

    private string[] Transport(RedisServer store) =>
    [
        $"--ConnectionStrings:redis={store.ConnectionString}",
        $"--ConnectionStrings:events={_events.ConnectionString}",
        "--EventBus:Transport=Redis",
    ];

    private TasksService.TasksServiceClient TasksClient() => new(_tasks!.CreateChannel());

    private MeetingsService.MeetingsServiceClient MeetingsClient() => new(_meetings.CreateChannel());

    private static Metadata As(string token) => CallOptionsExtensions.Bearer(token);

    private static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    /// <summary>Retries while the events that make the call succeed are still on their way.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + PollFor;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied or StatusCode.Unavailable
                                          && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
