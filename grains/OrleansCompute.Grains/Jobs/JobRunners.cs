using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Where the job grains get the engine's services: the silo's registered instances, or the defaults.</summary>
internal static class JobRunners
{
    private static readonly ComputeJobRegistry s_defaultRegistry = ComputeJobRegistry.CreateDefault();

    public static IComputeJobRunner Create(IServiceProvider services, ComputeJobSpec spec) =>
        (services.GetService<ComputeJobRegistry>() ?? s_defaultRegistry).CreateRunner(spec);

    public static DataRootOptions Roots(IServiceProvider services) => services.GetService<DataRootOptions>() ?? new DataRootOptions();

    /// <summary>Input sources besides the data roots (blob storage), as registered by the silo.</summary>
    public static IReadOnlyList<Compute.Inputs.IInputSource> Sources(IServiceProvider services) => [.. services.GetServices<Compute.Inputs.IInputSource>()];

    public static JobGrainOptions Options(IServiceProvider services) => services.GetService<JobGrainOptions>() ?? new JobGrainOptions();
}
