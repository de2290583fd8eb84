using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Hosting;

/// <summary>What <see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/> configures on a silo.</summary>
public sealed class OrleansComputeOptions
{
    /// <summary>
    /// Folders jobs may read (after <c>..</c> and symbolic links are resolved); the first is the base of relative
    /// input paths. Empty (the default): jobs can read no local file, only blob inputs.
    /// </summary>
    public IList<string> DataRoots { get; } = [];

    /// <summary>How job grains plan and drive jobs (split sizes, parallelism, retries, shard count).</summary>
    public JobGrainOptions Jobs { get; set; } = new();

    /// <summary>The job kinds this silo runs: the built-in ones; register your own with <see cref="ComputeJobRegistry.Register(IComputeJobKind)"/>.</summary>
    public ComputeJobRegistry Kinds { get; set; } = ComputeJobRegistry.CreateDefault();

    /// <summary>The Azure Blob Storage account job inputs <c>blob:container/prefix</c> are read from; null (default): none.</summary>
    public BlobInputOptions? BlobInputs { get; set; }

    /// <summary>
    /// Whether running jobs are pinged when the silo becomes active, so jobs interrupted by a full cluster restart
    /// resume without a client call. Default true.
    /// </summary>
    public bool ResumeJobsOnStart { get; set; } = true;

    /// <summary>
    /// Isolation fence (<see cref="IsolationWatchdog"/>): a clustered silo that, for this long, can neither read the
    /// membership table nor reach a majority of the active silos stops serving (its process exits with
    /// <see cref="IsolationWatchdog.ExitCode"/>, so a supervisor restarts it as a new member). Orleans alone stops a silo
    /// only once it reads that it was declared dead, which a silo cut off from the table never reads. Default 3 s;
    /// <see cref="TimeSpan.Zero"/> turns the watchdog off. Runs only in clustered silos (a membership table outside the
    /// silo, e.g. <c>UseRedisClustering</c>); never with Orleans's development (localhost, TestCluster) clustering.
    /// </summary>
    public TimeSpan IsolationFenceTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Claim on activation (a fencing token): when a grain with <c>[PersistentState]</c> activates and finds a stored
    /// record, it writes the record back before the grain runs, which rotates the record's ETag, so a late write from an
    /// earlier activation on a silo that was cut off can no longer land. One extra write per activation of a grain with
    /// state. Null (default): on in clustered silos only (as <see cref="IsolationFenceTimeout"/>); true/false force it.
    /// </summary>
    public bool? ClaimStateOnActivation { get; set; }

    /// <summary>
    /// After a burst of work, once the process has allocated almost nothing (under 1 MiB/s) for this long, one
    /// aggressive full collection hands the freed memory back to the system (<see cref="IdleMemoryTrimmer"/>), so a
    /// silo's resident size returns near its start-up level after jobs. Default 10 s; <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan IdleMemoryTrim { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each silo samples its CPU, memory, GC and grain calls for the dashboard's charts. Default 5 s.</summary>
    public TimeSpan SiloMetricsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples each silo keeps (the charts' window is this × <see cref="SiloMetricsInterval"/>). Default 120: ten minutes.</summary>
    public int SiloMetricsSamples { get; set; } = 120;
}
