using Bcd.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var local = LocalTopology.FromConfiguration(builder.Configuration);

// AOF on, data under the repository's .data/ (git-ignored), so a restart keeps what was written.
Directory.CreateDirectory(local.RedisDataDirectory);
var redis = builder.AddExecutable("redis", "redis-server", local.RedisDataDirectory,
    "--port", local.RedisPort.ToString(), "--bind", "127.0.0.1", "--dir", local.RedisDataDirectory,
    "--appendonly", "yes", "--appendfsync", "everysec", "--save", "");

var membership = builder.AddProject<Projects.Bcd_Membership>("membership", options => options.ExcludeLaunchProfile = true)
    .WithServiceSettings(local, local.Membership)
    .WithEnvironment("Seed__BacNinh", "true")
    .WaitFor(redis);

var meetings = builder.AddProject<Projects.Bcd_Meetings>("meetings", options => options.ExcludeLaunchProfile = true)
    .WithServiceSettings(local, local.Meetings)
    .WaitFor(redis);

var tasks = builder.AddProject<Projects.Bcd_Tasks>("tasks", options => options.ExcludeLaunchProfile = true)
    .WithServiceSettings(local, local.Tasks)
    .WaitFor(redis);

builder.AddProject<Projects.Bcd_Gateway>("gateway", options => options.ExcludeLaunchProfile = true)
    .WithServiceSettings(local, local.Gateway)
    .WithEnvironment("ReverseProxy__Clusters__membership__Destinations__d1__Address", local.Membership.GrpcUrl)
    .WithEnvironment("ReverseProxy__Clusters__meetings__Destinations__d1__Address", local.Meetings.GrpcUrl)
    .WithEnvironment("ReverseProxy__Clusters__tasks__Destinations__d1__Address", local.Tasks.GrpcUrl)
    .WithEnvironment("Cors__AllowedOrigins__0", "http://localhost:3000")
    .WaitFor(membership)
    .WaitFor(meetings)
    .WaitFor(tasks);

local.PrintWelcome();
builder.Build().Run();
