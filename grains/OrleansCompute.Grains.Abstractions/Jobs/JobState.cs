namespace OrleansCompute.Grains.Jobs;

/// <summary>Lifecycle of a batch job. Completed, Failed and Cancelled are final.</summary>
public enum JobState
{
    /// <summary>Accepted and persisted; splits not planned yet.</summary>
    Queued = 0,

    /// <summary>Planned; splits are being mapped and merged.</summary>
    Running = 1,

    Completed = 2,

    Failed = 3,

    Cancelled = 4,
}
