using Bcd.Contracts.Common.V1;
using Bcd.Contracts.Meetings.V1;
using Bcd.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bcd.Benchmarks;

/// <summary>
/// Prepares the meetings write path: waits until the meetings projection knows the committee (from
/// membership's events), then convenes, prepares and holds the meetings on which the benchmark issues
/// notices of conclusions, each with 20 six-clear directives.
/// </summary>
internal static class MeetingsSetup
{
    public const string IssueMethod = "/bcd.meetings.v1.MeetingsService/IssueConclusion";
    public const int Directives = 20;

    private static readonly string[] Agencies = ["cong-an-tinh", "so-khcn", "so-noi-vu"];

    /// <summary>
    /// Holds <paramref name="count"/> meetings: a real meeting gets a notice or two, so the notices are
    /// spread over many meetings instead of piling hundreds onto one.
    /// </summary>
    public static async Task<string[]> HoldMeetingsAsync(Uri meetings, string committeeId, Metadata head, Metadata standingAgency, int count)
    {
        await WaitForProjectionAsync(meetings, committeeId, head);
        // Far enough ahead for 200 convene/proposal/confirm rounds on a loaded machine; holding waits for it.
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(15);
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => PrepareMeetingAsync(meetings, committeeId, head, standingAgency, startsAt)));
        var wait = startsAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(200));
        }

        using var channel = GrpcChannel.ForAddress(meetings);
        var client = new MeetingsService.MeetingsServiceClient(channel);
        foreach (var id in ids)
        {
            await client.RecordMeetingHeldAsync(new RecordMeetingHeldRequest
            {
                RequestId = "bench-held-" + Guid.NewGuid().ToString("N"),
                CommitteeId = committeeId,
                MeetingId = id,
            }, head);
        }

        return ids;
    }

    private static async Task WaitForProjectionAsync(Uri meetings, string committeeId, Metadata head)
    {
        using var channel = GrpcChannel.ForAddress(meetings);
        var client = new MeetingsService.MeetingsServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await client.ListMeetingsAsync(new ListMeetingsRequest { CommitteeId = committeeId }, head);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
                // The projection has not received CommitteeCreated yet.
                await Task.Delay(100);
            }
        }
    }

    private static async Task<string> PrepareMeetingAsync(Uri meetings, string committeeId, Metadata head, Metadata standingAgency, DateTimeOffset startsAt)
    {
        using var channel = GrpcChannel.ForAddress(meetings);
        var client = new MeetingsService.MeetingsServiceClient(channel);
        var convened = await client.ConveneMeetingAsync(new ConveneMeetingRequest
        {
            RequestId = "bench-convene-" + Guid.NewGuid().ToString("N"),
            CommitteeId = committeeId,
            Kind = MeetingKind.AdHoc,
            Title = "Họp thử tải",
            StartsAt = Timestamp.FromDateTimeOffset(startsAt),
            EndsAt = Timestamp.FromDateTimeOffset(startsAt.AddHours(2)),
            Location = "Trụ sở UBND tỉnh",
        }, head);
        var meetingId = convened.Meeting.MeetingId;
        await client.FileProposalReportAsync(new FileProposalReportRequest
        {
            RequestId = "bench-proposal-" + Guid.NewGuid().ToString("N"),
            CommitteeId = committeeId,
            MeetingId = meetingId,
            Report = new ProposalReport { Objectives = "Thử tải", Participants = "Thành viên", TaskProgress = "Không" },
        }, standingAgency);
        await client.ConfirmMeetingAsync(new ConfirmMeetingRequest
        {
            RequestId = "bench-confirm-" + Guid.NewGuid().ToString("N"),
            CommitteeId = committeeId,
            MeetingId = meetingId,
        }, head);
        return meetingId;
    }

    /// <summary>A notice with one conclusion item carrying 20 directives; a new request_id each call.</summary>
    public static IssueConclusionRequest Conclusion(string requestId, string committeeId, string meetingId, string headPersonId)
    {
        var item = new ConclusionItem { Text = "Kết luận của Trưởng Ban tại cuộc họp thử tải." };
        var deadline = ProvinceTime.DateOf(DateTimeOffset.UtcNow).AddDays(90).ToProtoDate();
        for (var i = 0; i < Directives; i++)
        {
            var directive = new Directive
            {
                Work = $"Nhiệm vụ thử tải số {i + 1}",
                LeadAgencyId = Agencies[i % Agencies.Length],
                Deadline = deadline,
                ExpectedResult = "Báo cáo kết quả",
                AssigningAuthority = new AssigningAuthority { PersonId = headPersonId, ActingAs = "HEAD" },
            };
            directive.CoordinatingAgencyIds.Add(Agencies[(i + 1) % Agencies.Length]);
            item.Directives.Add(directive);
        }

        var request = new IssueConclusionRequest { RequestId = requestId, CommitteeId = committeeId, MeetingId = meetingId };
        request.Items.Add(item);
        return request;
    }
}
