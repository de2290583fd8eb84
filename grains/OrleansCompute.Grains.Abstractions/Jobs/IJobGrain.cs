using Orleans;
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

    /// <summary>
    /// One page of the per-split records (split id order): state, the silo that ran it, attempts, retries, resumes, duration,
    /// records. <paramref name="state"/> null: every split. Empty before the job is planned.
    /// </summary>
    Task<SplitPage> GetSplits(int offset, int limit, SplitState? state);

    /// <summary>The result once Completed, otherwise null.</summary>
    Task<ComputeJobResult?> GetResult();

    /// <summary>
    /// Long poll: answers as soon as the job has ended (Completed, Failed or Cancelled, durably) or when
    /// <paramref name="timeout"/> (at most <see cref="JobWait.Max"/>, one minute) has passed, with the status at that moment. Use it
    /// instead of polling <see cref="GetStatus"/> in a loop: nothing runs while the caller waits.
    /// </summary>
    [ResponseTimeout("00:01:10")]
    Task<JobStatus> WaitForEnd(TimeSpan timeout);

    /// <summary>Stops dispatching splits; the job ends Cancelled with the progress made so far. No-op on a finished job.</summary>
    Task Cancel();

    /// <summary>
    /// Deletes a finished job (Completed, Failed or Cancelled): its result shards, then its own record; the id is unknown
    /// afterwards and may be submitted again. A queued or running job is not deleted (<see cref="JobDeletion.Running"/>:
    /// cancel it first), nor one whose splits in flight are still finishing (<see cref="JobDeletion.Finishing"/>, after
    /// waiting up to 5 s for them: ask again).
    /// </summary>
    Task<JobDeletion> Delete();

    /// <summary>
    /// Keep-alive from the job registry: activates the grain (which resumes a running job from its persisted
    /// progress) and returns whether the job is still queued or running.
    /// </summary>
    [ResponseTimeout("00:00:05")]
    Task<bool> Ping();
}

/// <summary>Bounds of <see cref="IJobGrain.WaitForEnd"/>.</summary>
public static class JobWait
{
    /// <summary>The longest <see cref="IJobGrain.WaitForEnd"/> waits (its response timeout leaves room above it).</summary>
    public static TimeSpan Max { get; } = TimeSpan.FromMinutes(1);
}
