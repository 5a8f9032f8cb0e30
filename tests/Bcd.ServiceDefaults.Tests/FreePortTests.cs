using Bcd.Testing;
using Xunit;

namespace Bcd.ServiceDefaults.Tests;

/// <summary>
/// The test harness itself: a port handed out once is never handed out again in the process. CI once
/// gave a gateway the port a test had picked as "nothing listens here", so the gateway proxied to
/// itself until its rate limit answered RESOURCE_EXHAUSTED.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void APortIsNeverHandedOutTwice()
    {
        // Far more than the OS's ephemeral picker needs to offer a released port again.
        var ports = Enumerable.Range(0, 3000).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
