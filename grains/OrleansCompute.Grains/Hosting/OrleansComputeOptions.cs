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
}
