using System.Net;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;

namespace OrleansCompute.Membership.Tests.Support;

/// <summary>Silo addresses and membership rows for tests.</summary>
public static class Silos
{
    private static int s_lastPort = 20000;

    /// <summary>A silo address on a port no other test uses (generation fixed unless given).</summary>
    public static SiloAddress NewAddress(int generation = 1000) =>
        new(new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref s_lastPort)), generation);

    /// <summary>The same endpoint with another generation (a restarted silo).</summary>
    public static SiloAddress Restarted(SiloAddress address, int generation) => new(address.Endpoint, generation);

    public static MembershipEntry Entry(SiloAddress address, SiloStatus status = SiloStatus.Active, DateTimeOffset? iAmAlive = null)
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        return new MembershipEntry
        {
            SiloAddress = address,
            Status = status,
            SiloName = "silo-" + address.Endpoint.Port,
            HostName = "host-a",
            GatewayPort = address.Endpoint.Port + 10000,
            StartTime = now.AddMinutes(-5),
            IAmAliveTime = iAmAlive ?? now,
        };
    }
}
