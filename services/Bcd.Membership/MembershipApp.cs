using Bcd.Membership.Grpc;

namespace Bcd.Membership;

/// <summary>
/// Builds the membership app. Program.cs runs it; tests and the benchmark start the same app
/// in-process on real sockets, passing settings as command-line arguments so they are visible
/// while services are registered.
/// </summary>
public sealed class MembershipApp : Bcd.ServiceDefaults.Hosting.IBcdApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(MembershipApp).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();

        app.MapDefaultEndpoints();
        app.MapBcdGrpcService<MembershipGrpcService>(Contracts.Membership.V1.MembershipService.Descriptor.FullName);
        return app;
    }
}
