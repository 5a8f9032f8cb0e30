using Microsoft.AspNetCore.Builder;

namespace Bcd.ServiceDefaults.Hosting;

/// <summary>
/// How every deployable Bcd app is built. Program.cs runs it; tests, the benchmark and the deploy
/// checks build the very same app, the deploy checks with the environment its Kubernetes
/// Deployment gives it.
/// </summary>
public interface IBcdApp
{
    static abstract WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null);
}
