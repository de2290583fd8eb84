using Orleans;

namespace OrleansCompute.Grains.Api;

/// <summary>Readiness probe (key = the probing node): one persisted write and read of grain state.</summary>
public interface IHealthProbeGrain : IGrainWithStringKey
{
    /// <summary>Writes a new probe number to storage and returns it once persisted.</summary>
    Task<long> RoundTrip();
}
