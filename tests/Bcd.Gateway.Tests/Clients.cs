using System.Net;
using System.Net.Http.Headers;
using Bcd.Contracts.Membership.V1;
using Bcd.Testing;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace Bcd.Gateway.Tests;

/// <summary>The three ways front ends and other systems call through the gateway.</summary>
internal static class Clients
{
    public const string Committee = "bac-ninh";
    public const string HeadPersonId = "pham-hoang-son";

    public static string HeadToken() => TestTokens.For(HeadPersonId, committee: Committee, agency: "ubnd-tinh", roles: ["head"]);

    /// <summary>Native gRPC over HTTP/2 to the gateway's Grpc endpoint.</summary>
    public static MembershipService.MembershipServiceClient Grpc(TestApp gateway, out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        return new MembershipService.MembershipServiceClient(channel);
    }

    /// <summary>gRPC-Web over HTTP/1.1 to the gateway's Http endpoint, as a browser would call.</summary>
    public static MembershipService.MembershipServiceClient GrpcWeb(TestApp gateway, out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(gateway.HttpAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        return new MembershipService.MembershipServiceClient(channel);
    }

    /// <summary>REST/JSON over HTTP/1.1 to the gateway's Http endpoint.</summary>
    public static HttpClient Rest(TestApp gateway, string? token = null)
    {
        var client = new HttpClient { BaseAddress = gateway.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
