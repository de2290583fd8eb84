using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// One batch job (key = job id): plans splits, drives partition grains with bounded parallelism, collects the
/// aggregators' shards and keeps the status and result persisted, so they stay queryable after deactivation
/// or the death of its silo. A running job resumes by itself after its silo dies (see the Jobs README).
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Accepts the job and returns at once (state Queued or later). Idempotent: the same spec again returns the
    /// current status; a different spec for the same id throws <see cref="InvalidOperationException"/>.
    /// The spec's <see cref="ComputeJobSpec.JobId"/> must be empty or equal to the grain key.
    /// </summary>
    Task<JobStatus> Submit(ComputeJobSpec spec);

    /// <summary>The persisted status; state Queued with no spec when nothing was submitted.</summary>
    Task<JobStatus> GetStatus();

    /// <summary>The result once Completed, otherwise null.</summary>
    Task<ComputeJobResult?> GetResult();

    /// <summary>Stops dispatching splits; the job ends Cancelled with the progress made so far. No-op on a finished job.</summary>
    Task Cancel();

    /// <summary>
    /// Keep-alive from the job registry: activates the grain (which resumes a running job from its persisted
    /// progress) and returns whether the job is still queued or running.
    /// </summary>
    [ResponseTimeout("00:00:05")]
    Task<bool> Ping();
}
