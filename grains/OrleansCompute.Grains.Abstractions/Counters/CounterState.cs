using Orleans;

namespace OrleansCompute.Grains.Counters;

/// <summary>Persisted state of <see cref="ICounterGrain"/>.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public long Value { get; set; }

    [Id(1)]
    public DateTimeOffset UpdatedAt { get; set; }
}
