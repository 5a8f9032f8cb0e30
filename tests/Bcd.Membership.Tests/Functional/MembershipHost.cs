using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Membership.V1;
using Bcd.Membership.Domain;
using Bcd.ServiceDefaults.Time;
using Bcd.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bcd.Membership.Tests.Functional;

/// <summary>One redis-server for every functional test of this assembly; each test flushes it before starting its app.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "membership-redis";
}

/// <summary>
/// The shared <see cref="RedisServer"/> plus an admin connection: <see cref="RedisServer.FlushAsync"/> issues FLUSHALL on
/// the server's own connection, which StackExchange.Redis refuses without allowAdmin.
/// </summary>
/// <summary>
/// The membership app started in-process on real sockets against the shared Redis (flushed first),
/// with the Bắc Ninh seed and a fake clock at 15/7/2026 10:00 in Hà Nội.
/// </summary>
internal sealed class MembershipHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 7, 15, 3, 0, 0, TimeSpan.Zero);

    public const string CommitteeId = BacNinhSeed.CommitteeId;

    public static readonly string HeadToken = TestTokens.For(BacNinhSeed.HeadPersonId, CommitteeId, "ubnd-tinh", "Bắc Ninh", "Phạm Hoàng Sơn");

    public static readonly string StandingAgencyToken = TestTokens.For("can-bo-ca", CommitteeId, BacNinhSeed.StandingAgencyId, name: "Cán bộ Công an tỉnh");

    private MembershipHost(TestApp app, FakeTimeProvider time, RedisServer redis)
    {
        App = app;
        Time = time;
        Redis = redis;
        Channel = app.CreateChannel();
        Client = new MembershipService.MembershipServiceClient(Channel);
    }

    public TestApp App { get; }

    public FakeTimeProvider Time { get; }

    public RedisServer Redis { get; }

    public GrpcChannel Channel { get; }

    public MembershipService.MembershipServiceClient Client { get; }

    public static async Task<MembershipHost> StartAsync(RedisFixture redis, bool seed = true)
    {
        await redis.Server.FlushAsync();
        var time = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(
            MembershipApp.Create,
            Repo.Path("services", "Bcd.Membership"),
            [
                $"--ConnectionStrings:redis={redis.Server.ConnectionString}",
                "--Service:Name=membership",
                $"--Seed:BacNinh={seed}",
            ],
            b => b.Services.AddSingleton<TimeProvider>(time));
        return new MembershipHost(app, time, redis.Server);
    }

    public static Metadata As(string token) => CallOptionsExtensions.Bearer(token);

    public static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    public static Decision Decision(string number, DateOnly date) => new() { Number = number, Date = date.ToProtoDate() };

    public async Task<Agency> RegisterAgencyAsync(string agencyId, string name, string? requestId = null)
    {
        var response = await Client.RegisterAgencyAsync(new RegisterAgencyRequest
        {
            RequestId = requestId ?? NewRequestId(),
            CommitteeId = CommitteeId,
            AgencyId = agencyId,
            Name = name,
            Kind = AgencyKind.Department,
            ShortName = name,
        }, As(StandingAgencyToken));
        return response.Agency;
    }

    public async Task<MembershipChange> ProposeNewSeatAsync(string personId, string fullName, Role role, string agencyId, string title,
        DateOnly effective, bool provincialLeader = false)
    {
        var response = await Client.ProposeMembershipChangeAsync(new ProposeMembershipChangeRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            Kind = ChangeKind.Appoint,
            NewSeat = new NewSeat { Title = title, Role = role, AgencyId = agencyId, ProvincialLeader = provincialLeader },
            Person = new Person { PersonId = personId, FullName = fullName },
            EffectiveDate = effective.ToProtoDate(),
            Reason = "Kiện toàn thành viên Ban Chỉ đạo",
        }, As(StandingAgencyToken));
        return response.Change;
    }

    public async Task<MembershipChange> ProposeVacantSeatAsync(string seatId, string personId, string fullName, DateOnly effective)
    {
        var response = await Client.ProposeMembershipChangeAsync(new ProposeMembershipChangeRequest
        {
            RequestId = NewRequestId(),
            CommitteeId = CommitteeId,
            Kind = ChangeKind.Appoint,
            SeatId = seatId,
            Person = new Person { PersonId = personId, FullName = fullName },
            EffectiveDate = effective.ToProtoDate(),
            Reason = "Bổ sung thành viên",
        }, As(StandingAgencyToken));
        return response.Change;
    }

    public async Task<MembershipChange> ApproveAsync(string changeId, string token, Decision decision, string? requestId = null)
    {
        var response = await Client.ApproveMembershipChangeAsync(new ApproveMembershipChangeRequest
        {
            RequestId = requestId ?? NewRequestId(),
            CommitteeId = CommitteeId,
            ChangeId = changeId,
            Decision = decision,
        }, As(token));
        return response.Change;
    }

    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync() =>
        (await Client.GetCommitteeHistoryAsync(new GetCommitteeHistoryRequest { CommitteeId = CommitteeId, PageSize = 1000 }, As(HeadToken))).Entries;

    public async Task<GetRosterResponse> RosterAsync(DateOnly asOf) =>
        await Client.GetRosterAsync(new GetRosterRequest { CommitteeId = CommitteeId, AsOf = asOf.ToProtoDate() }, As(HeadToken));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.DisposeAsync();
    }
}
