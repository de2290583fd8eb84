using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// The persisted set of running jobs (a few replicas, keys 0..<see cref="Replicas"/>-1). Each replica pings
/// every job it holds once a second, which re-activates a job whose silo died; running jobs ping every replica
/// on their own timer, which re-activates a replica whose silo died.
/// </summary>
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>How many replicas a job registers with.</summary>
    const int Replicas = 5;

    /// <summary>Adds a running job (idempotent); also the keep-alive the jobs send.</summary>
    Task Register(string jobId);

    Task Unregister(string jobId);

    Task<IReadOnlyList<string>> GetRunningJobs();
}
