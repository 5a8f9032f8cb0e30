using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.EventBus;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Bcd.Projections.Membership.Tests.MembershipHistory;

namespace Bcd.Meetings.Tests.Functional;

/// <summary>One redis-server for the functional tests of this assembly; each test flushes it before starting its app.</summary>
[CollectionDefinition(Name)]
public sealed class MeetingsRedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "meetings-redis";
}

/// <summary>
/// The meetings app started in-process on real sockets against the shared Redis (flushed first), with
/// a fake clock at 1/9/2026 09:00 in Hà Nội and its membership projection fed the Bắc Ninh committee
/// through the app's own dispatcher and inbox, exactly as the transports deliver membership's events.
/// </summary>
internal sealed class MeetingsHost : IAsyncDisposable
{
    public const string CommitteeId = "bac-ninh";
    public const string OtherCommitteeId = "ha-noi";
    public const string Head = "pham-hoang-son";
    public const string StandingDeputy = "giam-doc-cong-an";
    public const string MemberKhcn = "giam-doc-so-khcn";
    public const string MemberNoiVu = "giam-doc-so-noi-vu";
    public const string StandingAgencyStaff = "can-bo-ca";
    public const string HeadSeat = "seat-head";
    public const string StandingDeputySeat = "seat-pho-truong-ban-thuong-truc";
    public const string KhcnSeat = "seat-giam-doc-so-khcn";
    public const string NoiVuSeat = "seat-giam-doc-so-noi-vu";

    public static readonly TimeSpan Vn = TimeSpan.FromHours(7);

    /// <summary>The clock when each test starts: Tuesday 1/9/2026 09:00 in Hà Nội.</summary>
    public static readonly DateTimeOffset Start = new(2026, 9, 1, 9, 0, 0, Vn);

    /// <summary>The quarterly meeting most tests convene: 15/9/2026 08:00–11:00 in Hà Nội.</summary>
    public static readonly DateTimeOffset MeetingStart = new(2026, 9, 15, 8, 0, 0, Vn);

    public static readonly string HeadToken = TestTokens.For(Head, CommitteeId, "ubnd-tinh", "Bắc Ninh", "Phạm Hoàng Sơn");
    public static readonly string StandingDeputyToken = TestTokens.For(StandingDeputy, CommitteeId, StandingAgencyId, name: "Giám đốc Công an tỉnh");
    public static readonly string KhcnToken = TestTokens.For(MemberKhcn, CommitteeId, "so-khcn", name: "Giám đốc Sở KH&CN");
    public static readonly string NoiVuToken = TestTokens.For(MemberNoiVu, CommitteeId, "so-noi-vu", name: "Giám đốc Sở Nội vụ");
    public static readonly string StandingAgencyToken = TestTokens.For(StandingAgencyStaff, CommitteeId, StandingAgencyId, name: "Cán bộ Công an tỉnh");

    /// <summary>A member of another province's committee: authenticated, but not of Bắc Ninh.</summary>
    public static readonly string OtherCommitteeToken = TestTokens.For("chu-tich-ha-noi", OtherCommitteeId, "ubnd-ha-noi");

    private MeetingsHost(TestApp app, FakeTimeProvider time, RedisServer redis)
    {
        App = app;
        Time = time;
        Redis = redis;
        Channel = app.CreateChannel();
        Client = new MeetingsService.MeetingsServiceClient(Channel);
    }

    public TestApp App { get; }

    public FakeTimeProvider Time { get; }

    public RedisServer Redis { get; }

    public GrpcChannel Channel { get; }

    public MeetingsService.MeetingsServiceClient Client { get; }

    public static async Task<MeetingsHost> StartAsync(RedisFixture redis, params string[] settings)
    {
        await redis.Server.FlushAsync();
        var time = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(
            MeetingsApp.Create,
            Repo.Path("services", "Bcd.Meetings"),
            [$"--ConnectionStrings:redis={redis.Server.ConnectionString}", "--Service:Name=meetings", .. settings],
            b => b.Services.AddSingleton<TimeProvider>(time));
        var host = new MeetingsHost(app, time, redis.Server);
        await host.DeliverCommitteeAsync();
        return host;
    }

    public static Metadata As(string token) => CallOptionsExtensions.Bearer(token);

    public static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, Vn);

    /// <summary>
    /// Bắc Ninh as membership publishes it: the committee, five agencies, the Head, the Standing Deputy
    /// Head (Director of Công an tỉnh) and two members, through the app's real dispatcher and inbox.
    /// </summary>
    private async Task DeliverCommitteeAsync()
    {
        var dispatcher = App.Services.GetRequiredService<IntegrationEventDispatcher>();
        IMessage[] events =
        [
            Committee(),
            Agency("ubnd-tinh", "UBND tỉnh Bắc Ninh"),
            Agency(StandingAgencyId, "Công an tỉnh Bắc Ninh"),
            Agency("so-khcn", "Sở Khoa học và Công nghệ"),
            Agency("so-noi-vu", "Sở Nội vụ"),
            Agency("so-tai-chinh", "Sở Tài chính"),
            Appointed(Seat(HeadSeat, "Trưởng Ban", Role.Head, "ubnd-tinh", Founded, Tenure(Head, "Phạm Hoàng Sơn", Founded))),
            Appointed(Seat(StandingDeputySeat, "Phó Trưởng Ban Thường trực", Role.StandingDeputyHead, StandingAgencyId, Founded,
                Tenure(StandingDeputy, "Giám đốc Công an tỉnh", Founded))),
            Appointed(Seat(KhcnSeat, "Giám đốc Sở KH&CN", Role.Member, "so-khcn", Founded, Tenure(MemberKhcn, "Giám đốc Sở KH&CN", Founded))),
            Appointed(Seat(NoiVuSeat, "Giám đốc Sở Nội vụ", Role.Member, "so-noi-vu", Founded, Tenure(MemberNoiVu, "Giám đốc Sở Nội vụ", Founded))),
        ];
        for (var n = 0; n < events.Length; n++)
        {
            var outcome = await dispatcher.DeliverAsync(events[n], $"evt-membership-{n + 1}", "membership", CommitteeId, Start, Seq(n + 1));
            Assert.Equal(DispatchOutcome.Handled, outcome);
        }
    }

    // ---- the steps of a meeting's life, each through the real gRPC channel ------------------------

    public static ConveneMeetingRequest ConveneRequest(MeetingKind kind = MeetingKind.QuarterlyPeriodic, DateTimeOffset? startsAt = null,
        string? requestId = null)
    {
        var start = startsAt ?? MeetingStart;
        return new ConveneMeetingRequest
        {
            RequestId = requestId ?? NewRequestId(),
            CommitteeId = CommitteeId,
            Kind = kind,
            Title = "Họp Ban Chỉ đạo quý III/2026",
            StartsAt = Timestamp.FromDateTimeOffset(start),
            EndsAt = Timestamp.FromDateTimeOffset(start.AddHours(3)),
            Location = "Trụ sở UBND tỉnh Bắc Ninh",
        };
    }

    public async Task<Meeting> ConveneAsync(MeetingKind kind = MeetingKind.QuarterlyPeriodic, DateTimeOffset? startsAt = null) =>
        (await Client.ConveneMeetingAsync(ConveneRequest(kind, startsAt), As(HeadToken))).Meeting;

    public static ProposalReport Proposal() => new()
    {
        Objectives = "Đánh giá kết quả quý III, triển khai nhiệm vụ quý IV",
        Participants = "Thành viên Ban Chỉ đạo; đại diện các Sở",
        TaskProgress = "12/15 nhiệm vụ hoàn thành đúng hạn",
        Documents =
        {
            new DocumentRef
            {
                Title = "Báo cáo kết quả quý III/2026",
                Uri = "https://vanban.bacninh.gov.vn/bao-cao-quy-3-2026.pdf",
                Sha256 = new string('a', 64),
                Classification = Classification.Internal,
            },
        },
    };

    public async Task<Meeting> FileProposalAsync(string meetingId) =>
        (await Client.FileProposalReportAsync(new FileProposalReportRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meetingId, Report = Proposal(),
        }, As(StandingAgencyToken))).Meeting;

    public async Task<Meeting> ConfirmAsync(string meetingId) =>
        (await Client.ConfirmMeetingAsync(new ConfirmMeetingRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meetingId,
        }, As(HeadToken))).Meeting;

    /// <summary>Moves the clock past the meeting's start and records it held with everyone but the Nội vụ seat present.</summary>
    public async Task<Meeting> HoldAsync(Meeting meeting)
    {
        var at = meeting.StartsAt.ToDateTimeOffset().AddHours(3);
        if (Time.GetUtcNow() < at)
        {
            Time.SetUtcNow(at);
        }

        return (await Client.RecordMeetingHeldAsync(new RecordMeetingHeldRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            MeetingId = meeting.MeetingId,
            PresentSeatIds = { HeadSeat, StandingDeputySeat, KhcnSeat },
        }, As(HeadToken))).Meeting;
    }

    /// <summary>A quarterly meeting convened, prepared, confirmed and held (the clock ends 3 hours after its start).</summary>
    public async Task<Meeting> HeldMeetingAsync(DateTimeOffset? startsAt = null)
    {
        var meeting = await ConveneAsync(startsAt: startsAt);
        await FileProposalAsync(meeting.MeetingId);
        await ConfirmAsync(meeting.MeetingId);
        return await HoldAsync(meeting);
    }

    /// <summary>A six-clear directive given by the Head in person, due 31/12/2026.</summary>
    public static Directive SixClear(string work, string leadAgencyId, params string[] coordinating) => new()
    {
        Work = work,
        LeadAgencyId = leadAgencyId,
        CoordinatingAgencyIds = { coordinating },
        Deadline = new DateOnly(2026, 12, 31).ToProtoDate(),
        ExpectedResult = "Báo cáo kết quả gửi Ban Chỉ đạo",
        AssigningAuthority = new AssigningAuthority { PersonId = Head, ActingAs = "HEAD" },
    };

    public static IssueConclusionRequest ConclusionRequest(string meetingId, params Directive[] directives) => new()
    {
        RequestId = NewRequestId(),
        CommitteeId = CommitteeId,
        MeetingId = meetingId,
        Items = { new ConclusionItem { Text = "Đẩy mạnh chuyển đổi số trong quý IV", Directives = { directives } } },
    };

    public async Task<Meeting> GetMeetingAsync(string meetingId) =>
        (await Client.GetMeetingAsync(new GetMeetingRequest { CommitteeId = CommitteeId, MeetingId = meetingId }, As(HeadToken))).Meeting;

    // ---- what the relay published ------------------------------------------------------------------

    /// <summary>
    /// The events of type <typeparamref name="T"/> on the redis transport's stream for that topic, waiting
    /// up to 5 s for at least <paramref name="atLeast"/> (the relay publishes just after the commit).
    /// </summary>
    public async Task<IReadOnlyList<(CloudEventEnvelope Envelope, T Event)>> PublishedAsync<T>(int atLeast = 1)
        where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        var stream = EventBusOptions.StreamKey(new T().Descriptor.FullName);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var entries = await Redis.Connection.GetDatabase().StreamRangeAsync(stream);
            var events = entries
                .Select(e => CloudEventEnvelope.Parse((string)e["cloudevent"]!))
                .Select(env => (env, parser.ParseJson(env.DataJson)))
                .ToList();
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.DisposeAsync();
    }
}
