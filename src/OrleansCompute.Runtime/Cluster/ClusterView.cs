using System.Collections.Immutable;
using System.Net;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster;

/// <summary>An immutable snapshot of membership as this silo last read it.</summary>
internal sealed class ClusterView
{
    public static readonly ClusterView Empty = new(-1, [], []);

    public ClusterView(int version, ImmutableArray<MembershipEntry> active, ImmutableHashSet<SiloAddress> dead)
    {
        Version = version;
        Active = active;
        Dead = dead;
        ActiveSilos = [.. active.Select(e => e.SiloAddress)];
    }

    public int Version { get; }

    public ImmutableArray<MembershipEntry> Active { get; }

    public ImmutableArray<SiloAddress> ActiveSilos { get; }

    public ImmutableHashSet<SiloAddress> Dead { get; }

    public bool IsActive(SiloAddress silo) => ActiveSilos.Contains(silo);

    /// <summary>Client gateway endpoints of active silos.</summary>
    public IEnumerable<IPEndPoint> Gateways => Active.Where(e => e.GatewayPort > 0)
        .Select(e => new IPEndPoint(e.SiloAddress.Endpoint.Address, e.GatewayPort));
}
