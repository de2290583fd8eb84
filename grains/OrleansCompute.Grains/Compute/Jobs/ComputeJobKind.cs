namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>Makes a registrable kind out of a factory of <see cref="ComputeJob{TKey, TValue, TResult}"/>.</summary>
public static class ComputeJobKind
{
    public static IComputeJobKind Create<TKey, TValue, TResult>(string name, Func<ComputeJobSpec, ComputeJob<TKey, TValue, TResult>> factory)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        return new Kind<TKey, TValue, TResult>(name, factory);
    }

    private sealed class Kind<TKey, TValue, TResult>(string name, Func<ComputeJobSpec, ComputeJob<TKey, TValue, TResult>> factory) : IComputeJobKind
        where TKey : notnull
    {
        public string Name => name;

        public IComputeJobRunner CreateRunner(ComputeJobSpec spec)
        {
            ArgumentNullException.ThrowIfNull(spec);
            return new ComputeJobRunner<TKey, TValue, TResult>(spec, factory(spec));
        }
    }
}
