using Bcd.ServiceDefaults.Hosting;
using Bcd.Tasks.Grpc;

namespace Bcd.Tasks;

/// <summary>
/// Builds the tasks and scoring app. Program.cs runs it; tests and the benchmark start the same app
/// in-process on real sockets.
/// </summary>
public sealed class TasksApp : IBcdApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(TasksApp).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();

        app.MapDefaultEndpoints();
        app.MapBcdGrpcService<TasksGrpcService>(Contracts.Tasks.V1.TasksService.Descriptor.FullName);
        app.MapBcdGrpcService<ScoringGrpcService>(Contracts.Tasks.V1.ScoringService.Descriptor.FullName);
        app.MapStatusSummaryFiles();
        return app;
    }
}
