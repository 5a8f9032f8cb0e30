using Bcd.Meetings.Grpc;
using Bcd.ServiceDefaults.Hosting;

namespace Bcd.Meetings;

/// <summary>
/// Builds the meetings app. Program.cs runs it; tests and the benchmark start the same app
/// in-process on real sockets.
/// </summary>
public sealed class MeetingsApp : IBcdApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(MeetingsApp).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();

        app.MapDefaultEndpoints();
        app.MapBcdGrpcService<MeetingsGrpcService>(Contracts.Meetings.V1.MeetingsService.Descriptor.FullName);
        app.MapMeetingCalendar();
        return app;
    }
}
