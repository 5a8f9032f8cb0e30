using Bcd.Membership;
using Bcd.Membership.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBcdGrpcService<MembershipGrpcService>(Bcd.Contracts.Membership.V1.MembershipService.Descriptor.FullName);

app.Run();

/// <summary>Marker for test hosts (WebApplicationFactory needs one type per app).</summary>
public partial class Program;

namespace Bcd.Membership
{
    /// <summary>Public marker of this app for test hosts.</summary>
    public sealed class MembershipApp;
}
