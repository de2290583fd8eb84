using OrleansCompute.Runtime;

namespace OrleansCompute.Membership;

/// <summary>One row of the membership table: a silo incarnation and what the cluster believes about it.</summary>
public sealed record MembershipEntry
{
    public required SiloAddress SiloAddress { get; init; }

    public SiloStatus Status { get; init; }

    public string SiloName { get; init; } = "";

    public string HostName { get; init; } = "";

    /// <summary>Client gateway port (0 when the silo has no gateway).</summary>
    public int GatewayPort { get; init; }

    public DateTimeOffset StartTime { get; init; }

    /// <summary>Refreshed periodically by the silo itself (without bumping the table version).</summary>
    public DateTimeOffset IAmAliveTime { get; init; }

    /// <summary>Recent suspicion votes against this silo.</summary>
    public IReadOnlyList<SuspectVote> SuspectTimes { get; init; } = [];
}
