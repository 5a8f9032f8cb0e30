namespace Bcd.Gateway;

/// <summary>
/// Builds the gateway. Program.cs runs it; tests start the same app in-process on real sockets,
/// passing settings (routes, clusters, limits) as command-line arguments.
/// </summary>
public sealed class GatewayApp : Bcd.ServiceDefaults.Hosting.IBcdApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(GatewayApp).Assembly.GetName().Name,
        });

        builder.AddGatewayServices();
        configure?.Invoke(builder);

        var app = builder.Build();

        app.UseGateway();
        return app;
    }
}
