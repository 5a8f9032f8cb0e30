using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bcd.Contracts.Tasks.V1;
using Bcd.Gateway;
using Bcd.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using static Bcd.Projections.Membership.Tests.MembershipHistory;
using static Bcd.Tasks.Tests.Functional.TasksHost;

namespace Bcd.Tasks.Tests.Functional;

/// <summary>
/// The tasks service behind the real gateway (its appsettings.json routes, JWT validation and
/// policies): gRPC on the gateway's HTTP/2 port; REST/JSON and the summary files on its HTTP/1.1 port.
/// </summary>
[Collection(TasksRedisCollection.Name)]
public sealed class TasksThroughGatewayTests(RedisFixture redis) : IAsyncLifetime
{
    private TasksHost _host = null!;
    private TestApp _gateway = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await TasksHost.StartAsync(redis);
        _gateway = await TestApp.StartAsync(
            GatewayApp.Create,
            Repo.Path("gateway", "Bcd.Gateway"),
            [
                // Only tasks is under test; the other clusters point at ports nobody listens on.
                $"--ReverseProxy:Clusters:membership:Destinations:d1:Address=http://127.0.0.1:{FreePort.Next()}",
                $"--ReverseProxy:Clusters:meetings:Destinations:d1:Address=http://127.0.0.1:{FreePort.Next()}",
                $"--ReverseProxy:Clusters:tasks:Destinations:d1:Address={_host.App.GrpcAddress}",
            ]);
        _channel = GrpcChannel.ForAddress(_gateway.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task T1_ThroughTheGateway_HeadAssignsOverRest_LeadReportsOverGrpc_MissingLeadIsA400NamingTheField()
    {
        using var head = Rest(HeadToken);
        var deadline = new { year = 2026, month = 9, day = 30 };
        using var assigned = await head.PostAsJsonAsync($"/api/v1/committees/{CommitteeId}/tasks", new
        {
            requestId = NewRequestId(),
            directive = new
            {
                work = "Triển khai nền tảng dữ liệu", leadAgencyId = "so-khcn", deadline, expectedResult = "Nền tảng vận hành",
                assigningAuthority = new { personId = Head, actingAs = "HEAD" },
            },
            source = new { direction = new { } },
        });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        using var json = JsonDocument.Parse(await assigned.Content.ReadAsStringAsync());
        var taskId = json.RootElement.GetProperty("task").GetProperty("taskId").GetString()!;
        Assert.Equal("TASK_STATUS_NOT_STARTED", json.RootElement.GetProperty("task").GetProperty("status").GetString());

        var tasks = new TasksService.TasksServiceClient(_channel);
        var reported = (await tasks.ReportProgressAsync(new ReportProgressRequest
        {
            RequestId = NewRequestId(), CommitteeId = CommitteeId, TaskId = taskId, Percent = 30, Text = "Đang triển khai",
        }, As(KhcnToken))).Task;
        Assert.Equal(Contracts.Tasks.V1.TaskStatus.InProgressOnTime, reported.Status);

        using var missingLead = await head.PostAsJsonAsync($"/api/v1/committees/{CommitteeId}/tasks", new
        {
            requestId = NewRequestId(),
            directive = new
            {
                work = "Việc thiếu cơ quan chủ trì", deadline, expectedResult = "Kết quả",
                assigningAuthority = new { personId = Head, actingAs = "HEAD" },
            },
            source = new { direction = new { } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, missingLead.StatusCode);
        Assert.Contains("directive.lead_agency_id", await missingLead.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var member = await Assert.ThrowsAsync<RpcException>(() => tasks.AssignTaskAsync(AssignRequest(), As(KhcnToken)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, member.StatusCode);
    }

    [Fact]
    public async Task ThroughTheGateway_TheStatusSummaryDownloadsAsCsv()
    {
        await _host.AssignAsync();
        using var head = Rest(HeadToken);

        using var csv = await head.GetAsync($"/api/v1/committees/{CommitteeId}/taskSummary.csv?from=2026-09-01&to=2026-09-30");
        using var anonymous = await Rest(null).GetAsync($"/api/v1/committees/{CommitteeId}/taskSummary.csv?from=2026-09-01&to=2026-09-30");

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Sở Khoa học và Công nghệ", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private HttpClient Rest(string? token)
    {
        var client = new HttpClient { BaseAddress = _gateway.HttpAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
