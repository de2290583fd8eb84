namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>A named job kind the silo can run (see <see cref="ComputeJobRegistry"/>).</summary>
public interface IComputeJobKind
{
    string Name { get; }

    /// <summary>Validates <paramref name="spec"/> and returns the runner of one job (throws <see cref="ArgumentException"/> on a bad spec).</summary>
    IComputeJobRunner CreateRunner(ComputeJobSpec spec);
}
