namespace OrleansCompute.Configuration;

/// <summary>
/// Failure detection. Bound from <c>OrleansCompute:Membership</c>. The defaults declare a killed silo
/// dead in about 2–4 s: its connections fail at once, so <see cref="MissedProbesLimit"/> probes fail within
/// about that many <see cref="ProbeInterval"/>s, then the votes are written (Orleans's defaults take ~15 s).
/// </summary>
public sealed class ClusterMembershipOptions
{
    /// <summary>How often each silo probes its peers. Default 1 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A probe not answered within this is missed. Default 1 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive missed probes before a silo votes its peer dead. Default 2.</summary>
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>Votes needed to declare a silo dead (fewer when fewer silos are alive to vote). Default 2.</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>Votes older than this no longer count. Default 20 s.</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often each silo re-reads the membership table. Default 1 s.</summary>
    public TimeSpan TableRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a silo writes its I-am-alive time. Default 5 s.</summary>
    public TimeSpan IAmAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A silo that for this long can neither read the membership table nor reach a majority of the active silos
    /// (itself included) is on the losing side of a partition: it fences itself (stops serving) before the majority,
    /// which declares it dead within a few seconds, reactivates its grains. Either condition alone keeps it serving
    /// (a Redis-only outage must not stop a healthy cluster; peers lost while the table answers are handled by votes).
    /// Default 3 s; <see cref="TimeSpan.Zero"/> disables isolation fencing.
    /// </summary>
    public TimeSpan IsolationFenceTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Upper bound on one membership-table call made by the membership loops (read, I-am-alive, vote), so an
    /// unreachable table (a cut network, where no reset ever arrives) cannot stall probing. Default 2 s.
    /// </summary>
    public TimeSpan TableOperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Dead rows older than this are deleted from the table. Default 1 day.</summary>
    public TimeSpan DefunctSiloCleanupAge { get; set; } = TimeSpan.FromDays(1);
}
