using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Api;

/// <summary>Implements <see cref="IHealthProbeGrain"/>: each probe writes the next number and reads it back.</summary>
public sealed class HealthProbeGrain([PersistentState("healthprobe")] IPersistentState<HealthProbeState> state) : Grain, IHealthProbeGrain
{
    public async Task<long> RoundTrip()
    {
        var next = state.State.Probes + 1;
        state.State.Probes = next;
        await state.WriteStateAsync();
        await state.ReadStateAsync();
        return state.State.Probes == next
            ? next
            : throw new InvalidOperationException($"Storage returned probe {state.State.Probes} after writing {next}.");
    }
}

[GenerateSerializer]
public sealed class HealthProbeState
{
    [Id(0)]
    public long Probes { get; set; }
}
