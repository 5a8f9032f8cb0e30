using System.Net;
using System.Net.Http.Headers;
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
    public async Task LocalRunAnswersTheSeededBacNinhRosterThroughTheGateway()
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
