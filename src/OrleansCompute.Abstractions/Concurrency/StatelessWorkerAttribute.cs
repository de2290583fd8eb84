namespace OrleansCompute.Concurrency;

/// <summary>
/// The grain keeps no identity-bound state: each silo may run up to <see cref="MaxLocalWorkers"/>
/// activations of the same grain id and spreads calls over them; calls are always local.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class StatelessWorkerAttribute : Attribute
{
    /// <summary>At most one worker per core (the default).</summary>
    public StatelessWorkerAttribute() => MaxLocalWorkers = Environment.ProcessorCount;

    public StatelessWorkerAttribute(int maxLocalWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLocalWorkers, 1);
        MaxLocalWorkers = maxLocalWorkers;
    }

    public int MaxLocalWorkers { get; }
}
