using Orleans;

namespace OrleansCompute.Grains.Counters;

/// <summary>
/// A durable counter. An increment is acknowledged only after it is persisted, so a silo dying
/// after the call returned never loses it.
/// </summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="delta"/> and returns the new value.</summary>
    Task<long> Add(long delta);

    Task<long> Get();
}
