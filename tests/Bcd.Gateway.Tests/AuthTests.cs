using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bcd.Contracts.Membership.V1;
using Bcd.ServiceDefaults.Identity;
using Bcd.Testing;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Xunit;
using StatusCode = Grpc.Core.StatusCode;

namespace Bcd.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class AuthTests(GatewayFixture fixture)
{
    private static readonly string NoCommitteeToken = TestTokens.For("khach", agency: "so-tai-chinh");

    // A person of the committee who is not its Head.
    private static readonly string OfficerToken = TestTokens.For("can-bo", committee: Clients.Committee, agency: "cong-an-tinh");

    private static readonly GetRosterRequest Roster = new() { CommitteeId = Clients.Committee };

    [Fact]
    public async Task GrpcWithoutTokenIsUnauthenticatedAtTheGateway()
    {
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetRosterAsync(Roster).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
            Assert.Contains("gateway", ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GrpcWebWithoutTokenIsUnauthenticated()
    {
        var client = Clients.GrpcWeb(fixture.Gateway, out var channel);
        using (channel)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetRosterAsync(Roster).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        }
    }

    [Fact]
    public async Task GrpcWithTokenOfAnotherIssuerIsUnauthenticated()
    {
        var foreign = TokenFactory.Create(
            new IdentityOptions { Issuer = "someone-else", Audience = TestTokens.Audience, SigningKey = Convert.ToBase64String(new byte[32]) },
            Clients.HeadPersonId, "Mạo danh", Clients.Committee, null, null, ["head"], TimeSpan.FromHours(1));
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() =>
                client.GetRosterAsync(Roster, CallOptionsExtensions.Bearer(foreign)).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        }
    }

    [Fact]
    public async Task RestWithoutTokenIs401WithBearerChallenge()
    {
        using var http = Clients.Rest(fixture.Gateway);

        using var response = await http.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, response);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal((int)StatusCode.Unauthenticated, json.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task GrpcTokenWithoutCommitteeIsPermissionDeniedAtTheGateway()
    {
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            // The service itself would answer GetRoster to any signed-in person; the gateway's policy refuses.
            var ex = await Assert.ThrowsAsync<RpcException>(() =>
                client.GetRosterAsync(Roster, CallOptionsExtensions.Bearer(NoCommitteeToken)).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
            Assert.Contains("gateway", ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RestTokenWithoutCommitteeIs403AtTheGateway()
    {
        using var http = Clients.Rest(fixture.Gateway, NoCommitteeToken);

        using var response = await http.GetAsync($"/api/v1/committees/{Clients.Committee}/roster");

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, response);
        Assert.Equal((int)StatusCode.PermissionDenied, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("gateway", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvinceChairmanWithoutCommitteePassesTheGateway()
    {
        var chairman = TestTokens.For("chu-tich-lang-son", province: "Lạng Sơn", roles: [BcdClaims.ProvinceChairmanRole]);
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var committees = await client.ListCommitteesAsync(new ListCommitteesRequest(), CallOptionsExtensions.Bearer(chairman));
            Assert.Contains(committees.Committees, c => c.CommitteeId == Clients.Committee);
        }
    }

    [Fact]
    public async Task GrpcOfficerWhoIsNotTheHeadIsRefusedByTheServiceThroughTheGateway()
    {
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var grant = new GrantDelegationRequest
            {
                RequestId = "req-" + Guid.NewGuid().ToString("N"),
                CommitteeId = Clients.Committee,
                DelegatePersonId = "can-bo",
                Scopes = { DelegationScope.SignDocuments },
                ValidFrom = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
                Decision = Decision(),
            };

            var ex = await Assert.ThrowsAsync<RpcException>(() =>
                client.GrantDelegationAsync(grant, CallOptionsExtensions.Bearer(OfficerToken)).ResponseAsync);

            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
            // The rich status proves the service decided, not the gateway.
            var info = ex.GetRpcStatus()?.GetDetail<ErrorInfo>();
            Assert.NotNull(info);
            Assert.Equal("HEAD_ONLY", info.Reason);
            Assert.Equal("bcd.gov.vn", info.Domain);
        }
    }

    [Fact]
    public async Task RestOfficerWhoIsNotTheHeadCannotApproveAMembershipChange()
    {
        using var http = Clients.Rest(fixture.Gateway, OfficerToken);

        using var response = await http.PostAsJsonAsync(
            $"/api/v1/committees/{Clients.Committee}/membership-changes/chg-any:approve",
            new
            {
                requestId = "req-" + Guid.NewGuid().ToString("N"),
                decision = new { number = "15/QĐ-BCĐ", date = new { year = 2026, month = 6, day = 10 } },
            });

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, response);
        Assert.Equal((int)StatusCode.PermissionDenied, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("details").EnumerateArray(),
            d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo"
                 && d.GetProperty("domain").GetString() == "bcd.gov.vn");
    }

    [Fact]
    public async Task GrpcBadAgencyIdIsInvalidArgumentNamingTheField()
    {
        var client = Clients.Grpc(fixture.Gateway, out var channel);
        using (channel)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAgencyAsync(new RegisterAgencyRequest
            {
                RequestId = "req-" + Guid.NewGuid().ToString("N"),
                CommitteeId = Clients.Committee,
                AgencyId = "BAD ID",
                Name = "Sở Tư pháp tỉnh Bắc Ninh",
                Kind = AgencyKind.Department,
            }, CallOptionsExtensions.Bearer(OfficerToken)).ResponseAsync);

            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
            Assert.NotNull(badRequest);
            Assert.Equal(["agency_id"], badRequest.FieldViolations.Select(v => v.Field));
        }
    }

    [Fact]
    public async Task RestBadAgencyIdIs400WithFieldViolation()
    {
        using var http = Clients.Rest(fixture.Gateway, OfficerToken);

        using var response = await http.PostAsJsonAsync($"/api/v1/committees/{Clients.Committee}/agencies", new
        {
            requestId = "req-" + Guid.NewGuid().ToString("N"),
            agencyId = "BAD ID",
            name = "Sở Tư pháp tỉnh Bắc Ninh",
            kind = "AGENCY_KIND_DEPARTMENT",
        });

        using var json = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)StatusCode.InvalidArgument, json.RootElement.GetProperty("code").GetInt32());
        var badRequest = Assert.Single(json.RootElement.GetProperty("details").EnumerateArray(),
            d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest");
        Assert.Equal(["agency_id"], badRequest.GetProperty("fieldViolations").EnumerateArray().Select(v => v.GetProperty("field").GetString()));
    }

    private static Bcd.Contracts.Common.V1.Decision Decision() => new()
    {
        Number = "15/QĐ-BCĐ",
        Date = new Google.Type.Date { Year = 2026, Month = 6, Day = 10 },
    };
}
