namespace OrleansCompute.Grains.Jobs;

/// <summary>What <see cref="IJobGrain.Delete"/> did.</summary>
public enum JobDeletion
{
    /// <summary>The job's record and result shards are gone; its id may be submitted again.</summary>
    Deleted = 0,

    /// <summary>Nothing was submitted under this id (or it was deleted before).</summary>
    Unknown = 1,

    /// <summary>The job is queued or running: cancel it first. Nothing was deleted.</summary>
    Running = 2,

    /// <summary>The job ended (cancelled or failed) but splits it had in flight are still finishing: ask again shortly. Nothing was deleted.</summary>
    Finishing = 3,
}
