using System.Net;
using Bcd.Contracts.Membership.V1;
using Bcd.Testing;
using Google.Rpc;
using Grpc.Core;

namespace Bcd.Membership.Tests.Functional;

/// <summary>The service when its Redis is not there: it starts, says it is not ready, and answers UNAVAILABLE.</summary>
public sealed class StoreUnavailableTests
{
    [Fact]
    public async Task WithoutRedisTheServiceStartsNotReadyAndAnswersUnavailable()
    {
        // A port nothing listens on; short timeouts keep the test quick.
        var nowhere = $"127.0.0.1:{FreePort.Next()},connectTimeout=300,asyncTimeout=1000,syncTimeout=1000";
        await using var app = await TestApp.StartAsync(
            MembershipApp.Create,
            Repo.Path("services", "Bcd.Membership"),
            [$"--ConnectionStrings:redis={nowhere}", "--Service:Name=membership", "--Seed:BacNinh=true"]);

        using var http = app.CreateHttpClient();
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        using var channel = app.CreateChannel();
        var client = new MembershipService.MembershipServiceClient(channel);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetCommitteeAsync(
            new GetCommitteeRequest { CommitteeId = "bac-ninh" },
            CallOptionsExtensions.Bearer(TestTokens.For("pham-hoang-son", committee: "bac-ninh"))).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal("STORE_UNAVAILABLE", ex.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }
}
