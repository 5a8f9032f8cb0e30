using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Bcd.Testing;
using Xunit;

namespace Bcd.EndToEnd.Tests;

/// <summary>
/// Starts the AppHost exactly as the local run does (on free ports and a temporary data folder) and
/// talks to it only through the gateway.
/// </summary>
public sealed class LocalRunTests
{
    [Fact]
    public async Task LocalRunAnswersTheSeededBacNinhRosterThroughTheGateway_AndRunsTheConclusionToScoreChain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var gatewayHttp = FreePort.Next();
        var dataDirectory = Directory.CreateTempSubdirectory("bcd-e2e-").FullName;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bcd_AppHost>(
            [
                $"--Bcd:RedisPort={FreePort.Next()}",
                $"--Bcd:DataDirectory={dataDirectory}",
                $"--Bcd:GatewayHttpPort={gatewayHttp}",
                $"--Bcd:GatewayGrpcPort={FreePort.Next()}",
                $"--Bcd:MembershipHttpPort={FreePort.Next()}",
                $"--Bcd:MembershipGrpcPort={FreePort.Next()}",
                $"--Bcd:MeetingsHttpPort={FreePort.Next()}",
                $"--Bcd:MeetingsGrpcPort={FreePort.Next()}",
                $"--Bcd:TasksHttpPort={FreePort.Next()}",
                $"--Bcd:TasksGrpcPort={FreePort.Next()}",
            ], timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
            await app.StartAsync(timeout.Token);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayHttp}") };
            await WaitUntilHealthyAsync(http, timeout.Token);

            // The development token endpoint is reachable through the gateway in Development only.
            var token = await http.GetStringAsync(
                "/dev/token?sub=pham-hoang-son&name=Pham%20Hoang%20Son&committee=bac-ninh&agency=ubnd-tinh&roles=head", timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/committees/bac-ninh/roster");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            using var roster = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            var head = roster.RootElement.GetProperty("entries").EnumerateArray()
                .Single(e => e.GetProperty("role").GetString() == "ROLE_HEAD");
            Assert.Equal("Phạm Hoàng Sơn", head.GetProperty("holder").GetProperty("fullName").GetString());
            Assert.Equal("1455/QĐ-UBND", head.GetProperty("appointedBy").GetProperty("number").GetString());
            Assert.Equal("cong-an-tinh", roster.RootElement.GetProperty("standingAgencyId").GetString());

            // Meetings learns the committee from membership's events (no call between them): once its
            // projection has it, the G6 cadence report answers through the gateway.
            using var cadence = await PollAsync(http, "/api/v1/committees/bac-ninh/cadence/2026", token, timeout.Token);
            Assert.Equal(4, cadence.RootElement.GetProperty("report").GetProperty("quarters").GetArrayLength());

            await ConclusionBecomesTasksAndARoundRanksTheAgenciesAsync(http, token, timeout.Token);

            // Without a token the gateway refuses before the service is reached.
            using var anonymous = await http.GetAsync("/api/v1/committees/bac-ninh/roster", timeout.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

            await app.StopAsync(timeout.Token);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Issue 5's chain, through the gateway only: a meeting held in meetings, its notice of conclusions
    /// with two directives → two tasks in tasks (from meetings' event) → the lead agency of one
    /// completes it → the Standing Agency's scoring round ranks that agency first.
    /// </summary>
    private static async Task ConclusionBecomesTasksAndARoundRanksTheAgenciesAsync(HttpClient http, string head, CancellationToken ct)
    {
        var standingAgency = await http.GetStringAsync("/dev/token?sub=can-bo-ca&committee=bac-ninh&agency=cong-an-tinh&roles=standing-agency", ct);
        var khcn = await http.GetStringAsync("/dev/token?sub=chuyen-vien-khcn&committee=bac-ninh&agency=so-khcn", ct);
        var run = Guid.NewGuid().ToString("N");
        const string Committee = "/api/v1/committees/bac-ninh";

        // G1: a meeting convened a few seconds ahead, so it can be held within the test.
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(8);
        using var convened = await SendAsync(http, HttpMethod.Post, $"{Committee}/meetings", head, new
        {
            requestId = $"e2e-convene-{run}", kind = "MEETING_KIND_AD_HOC", title = "Họp đột xuất về chuyển đổi số",
            startsAt = startsAt.ToString("O"), endsAt = startsAt.AddHours(1).ToString("O"), location = "Trụ sở UBND tỉnh",
        }, ct);
        var meetingId = convened.RootElement.GetProperty("meeting").GetProperty("meetingId").GetString();
        (await SendAsync(http, HttpMethod.Put, $"{Committee}/meetings/{meetingId}/proposal", standingAgency, new
        {
            requestId = $"e2e-proposal-{run}",
            report = new { objectives = "Chỉ đạo chuyển đổi số", participants = "Thành viên Ban Chỉ đạo", taskProgress = "Đang triển khai" },
        }, ct)).Dispose();
        (await SendAsync(http, HttpMethod.Post, $"{Committee}/meetings/{meetingId}:confirm", head, new { requestId = $"e2e-confirm-{run}" }, ct)).Dispose();
        var wait = startsAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(500), ct);
        }

        (await SendAsync(http, HttpMethod.Post, $"{Committee}/meetings/{meetingId}:held", head,
            new { requestId = $"e2e-held-{run}", presentSeatIds = new[] { "seat-head" } }, ct)).Dispose();

        // G4: two six-clear directives.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh")).DateTime);
        var deadline = today.AddDays(30);
        object Directive(string lead, string work) => new
        {
            work, leadAgencyId = lead, expectedResult = "Báo cáo kết quả",
            deadline = new { year = deadline.Year, month = deadline.Month, day = deadline.Day },
            assigningAuthority = new { personId = "pham-hoang-son", actingAs = "HEAD" },
        };
        using var notice = await SendAsync(http, HttpMethod.Post, $"{Committee}/meetings/{meetingId}/conclusions", head, new
        {
            requestId = $"e2e-conclusion-{run}",
            items = new[]
            {
                new { text = "Đẩy mạnh chuyển đổi số", directives = new[] { Directive("so-khcn", "Xây dựng kho dữ liệu dùng chung"), Directive("so-noi-vu", "Số hóa hồ sơ") } },
            },
        }, ct);
        var noticeId = notice.RootElement.GetProperty("notice").GetProperty("noticeId").GetString();

        // T2: the tasks appear in tasks, from meetings' event only.
        JsonElement[] tasks;
        while (true)
        {
            using var list = await PollAsync(http, $"{Committee}/tasks", head, ct);
            tasks = list.RootElement.TryGetProperty("tasks", out var items)
                ? items.EnumerateArray().Where(t => t.GetProperty("source").GetProperty("conclusion").GetProperty("noticeId").GetString() == noticeId)
                    .Select(t => t.Clone()).ToArray()
                : [];
            if (tasks.Length == 2)
            {
                break;
            }

            await Task.Delay(250, ct);
        }

        // T3: Sở KH&CN completes its task.
        var khcnTask = tasks.Single(t => t.GetProperty("directive").GetProperty("leadAgencyId").GetString() == "so-khcn").GetProperty("taskId").GetString();
        using var done = await SendAsync(http, HttpMethod.Post, $"{Committee}/tasks/{khcnTask}:reportProgress", khcn,
            new { requestId = $"e2e-progress-{run}", percent = 100, text = "Đã hoàn thành" }, ct);
        Assert.Equal("TASK_STATUS_COMPLETED_ON_TIME", done.RootElement.GetProperty("task").GetProperty("status").GetString());

        // T6: criteria, then a round over the period of the deadlines, ranking Sở KH&CN first.
        (await SendAsync(http, HttpMethod.Post, $"{Committee}/criteriaVersions", standingAgency, new
        {
            requestId = $"e2e-criteria-{run}", name = "Bộ tiêu chí thử",
            criteria = new[] { new { code = "C1", name = "Hoàn thành đúng hạn", weight = 100, indicator = "INDICATOR_ON_TIME_COMPLETION_RATE" } },
        }, ct)).Dispose();
        using var round = await SendAsync(http, HttpMethod.Post, $"{Committee}/scoringRounds", standingAgency, new
        {
            requestId = $"e2e-round-{run}",
            period = new
            {
                label = "Kỳ thử", from = new { year = today.Year, month = today.Month, day = today.Day },
                to = new { year = deadline.Year, month = deadline.Month, day = deadline.Day },
            },
            agencyIds = new[] { "so-khcn", "so-noi-vu" },
        }, ct);
        var scores = round.RootElement.GetProperty("round").GetProperty("result").GetProperty("scores").EnumerateArray().ToArray();
        Assert.Equal("so-khcn", scores[0].GetProperty("agencyId").GetString());
        Assert.Equal(1, scores[0].GetProperty("rank").GetInt32());
        Assert.Equal(10000, scores[0].GetProperty("totalCenti").GetInt32());
        Assert.Equal(2, scores[1].GetProperty("rank").GetInt32());
    }

    /// <summary>Sends JSON with a bearer token; anything but 200 fails the test with the body.</summary>
    private static async Task<JsonDocument> SendAsync(HttpClient http, HttpMethod method, string path, string token, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    /// <summary>GETs until 200 (a projection may lag its events); any other final answer fails the test.</summary>
    private static async Task<JsonDocument> PollAsync(HttpClient http, string path, string token, CancellationToken ct)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            }

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await Task.Delay(250, ct);
        }
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var health = await http.GetAsync("/healthz", ct);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, ct);
        }
    }
}
