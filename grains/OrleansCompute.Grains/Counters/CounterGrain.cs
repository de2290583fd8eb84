using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Counters;

/// <summary>Implements <see cref="ICounterGrain"/>: write-through persistence on every increment.</summary>
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<long> Add(long delta)
    {
        state.State.Value += delta;
        state.State.UpdatedAt = DateTimeOffset.UtcNow;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The write may or may not have landed: re-read on the next activation rather than guess.
            DeactivateOnIdle();
            throw;
        }

        return state.State.Value;
    }

    public Task<long> Get() => Task.FromResult(state.State.Value);
}
