using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bcd.Contracts.Meetings.V1;
using Bcd.Gateway;
using Bcd.Testing;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using static Bcd.Meetings.Tests.Functional.MeetingsHost;

namespace Bcd.Meetings.Tests.Functional;

/// <summary>
/// The meetings service behind the real gateway (its appsettings.json routes, JWT validation and
/// policies): native gRPC on the gateway's HTTP/2 port, REST/JSON and the iCalendar feed on its HTTP/1.1 port.
/// </summary>
[Collection(MeetingsRedisCollection.Name)]
public sealed class MeetingsThroughGatewayTests(RedisFixture redis) : IAsyncLifetime
{
    private MeetingsHost _host = null!;
    private TestApp _gateway = null!;
    private GrpcChannel _channel = null!;

    private MeetingsService.MeetingsServiceClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await MeetingsHost.StartAsync(redis);
        _gateway = await TestApp.StartAsync(
            GatewayApp.Create,
            Repo.Path("gateway", "Bcd.Gateway"),
            [
                // Membership is not under test here; its cluster points at a port nobody listens on.
                $"--ReverseProxy:Clusters:membership:Destinations:d1:Address=http://127.0.0.1:{FreePort.Next()}",
                $"--ReverseProxy:Clusters:meetings:Destinations:d1:Address={_host.App.GrpcAddress}",
            ]);
        _channel = GrpcChannel.ForAddress(_gateway.GrpcAddress);
        Client = new MeetingsService.MeetingsServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task G1_ThroughTheGateway_HeadConvenesOverGrpc_MemberReadsItAsJson_MemberCannotConveneOverRest()
    {
        var meeting = (await Client.ConveneMeetingAsync(ConveneRequest(), As(HeadToken))).Meeting;

        using var member = Rest(KhcnToken);
        using var read = await member.GetAsync($"/api/v1/committees/{CommitteeId}/meetings/{meeting.MeetingId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        var body = json.RootElement.GetProperty("meeting");
        Assert.Equal(meeting.MeetingId, body.GetProperty("meetingId").GetString());
        Assert.Equal("MEETING_STATUS_CONVENED", body.GetProperty("status").GetString());
        Assert.Equal(Head, body.GetProperty("chairPersonId").GetString());

        using var convene = await member.PostAsJsonAsync($"/api/v1/committees/{CommitteeId}/meetings", new
        {
            requestId = NewRequestId(),
            kind = "MEETING_KIND_AD_HOC",
            title = "Họp đột xuất",
            startsAt = "2026-09-20T01:00:00Z",
            endsAt = "2026-09-20T03:00:00Z",
            location = "Sở KH&CN",
        });
        Assert.Equal(HttpStatusCode.Forbidden, convene.StatusCode);
        var list = await Client.ListMeetingsAsync(new ListMeetingsRequest { CommitteeId = CommitteeId }, As(HeadToken));
        Assert.Equal(meeting.MeetingId, Assert.Single(list.Meetings).MeetingId);
    }

    [Fact]
    public async Task G2_ThroughTheGateway_ConfirmWithoutProposalIsRefusedNamingTheRule_OverGrpcAndRest()
    {
        var meeting = await _host.ConveneAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.ConfirmMeetingAsync(new ConfirmMeetingRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, MeetingId = meeting.MeetingId,
        }, As(HeadToken)));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        var info = ex.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("PROPOSAL_REPORT_MISSING", info.Reason);
        Assert.Equal("G2", info.Metadata["rule"]);

        using var head = Rest(HeadToken);
        using var response = await head.PostAsJsonAsync(
            $"/api/v1/committees/{CommitteeId}/meetings/{meeting.MeetingId}:confirm", new { requestId = NewRequestId() });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        Assert.Equal((int)Code.FailedPrecondition, json.RootElement.GetProperty("code").GetInt32());
        var details = json.RootElement.GetProperty("details").EnumerateArray().ToList();
        var errorInfo = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo");
        Assert.Equal("PROPOSAL_REPORT_MISSING", errorInfo.GetProperty("reason").GetString());
        Assert.Equal("G2", errorInfo.GetProperty("metadata").GetProperty("rule").GetString());
        var vi = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.LocalizedMessage");
        Assert.Equal("vi-VN", vi.GetProperty("locale").GetString());

        // Filed by the Standing Agency over REST, the same confirmation succeeds.
        using var staff = Rest(StandingAgencyToken);
        using var filed = await staff.PutAsJsonAsync($"/api/v1/committees/{CommitteeId}/meetings/{meeting.MeetingId}/proposal", new
        {
            requestId = NewRequestId(),
            report = new { objectives = "Đánh giá quý III", participants = "Thành viên Ban Chỉ đạo", taskProgress = "12/15 nhiệm vụ hoàn thành" },
        });
        Assert.Equal(HttpStatusCode.OK, filed.StatusCode);
        using var confirmed = await head.PostAsJsonAsync(
            $"/api/v1/committees/{CommitteeId}/meetings/{meeting.MeetingId}:confirm", new { requestId = NewRequestId() });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(MeetingStatus.Confirmed, (await _host.GetMeetingAsync(meeting.MeetingId)).Status);
    }

    [Fact]
    public async Task Calendar_ThroughTheGateway_MembersFeedHasTheMeeting_401WithoutToken_403ForAnotherCommittee()
    {
        var meeting = await _host.ConveneAsync();
        var path = $"/api/v1/committees/{CommitteeId}/calendar.ics";

        using var member = Rest(KhcnToken);
        using var feed = await member.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("text/calendar", feed.Content.Headers.ContentType?.MediaType);
        var ics = await feed.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR", ics, StringComparison.Ordinal);
        Assert.Contains($"UID:{meeting.MeetingId}@bcd", ics, StringComparison.Ordinal);
        Assert.Contains("SUMMARY:Họp Ban Chỉ đạo quý III/2026", ics, StringComparison.Ordinal);

        using var anonymous = Rest(null);
        using var unauthenticated = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        using var outsider = Rest(OtherCommitteeToken);
        using var forbidden = await outsider.GetAsync(path);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.DoesNotContain(meeting.MeetingId, await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private HttpClient Rest(string? token)
    {
        var client = new HttpClient { BaseAddress = _gateway.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
