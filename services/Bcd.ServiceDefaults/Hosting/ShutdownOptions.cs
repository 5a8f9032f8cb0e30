namespace Bcd.ServiceDefaults.Hosting;

/// <summary>
/// Configuration section "Shutdown". Kubernetes sends SIGTERM after the pod's preStop sleep and kills
/// it terminationGracePeriodSeconds after the pod began terminating, so these must fit inside that period.
/// </summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>How long the host may take to stop: in-flight requests drain first, then the background services stop.</summary>
    public int TimeoutSeconds { get; set; } = 25;

    /// <summary>How long the outbox relay keeps publishing on stop; what is left stays in the outbox for the next relay.</summary>
    public int RelayFlushSeconds { get; set; } = 5;
}
