namespace OrleansCompute.Grains.Counters;

/// <summary>Persisted state of <see cref="ICounterGrain"/>.</summary>
public sealed class CounterState
{
    public long Value { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
