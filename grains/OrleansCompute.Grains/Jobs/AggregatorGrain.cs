using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Runtime;
using OrleansCompute.Serialization;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// One shard of a job's result: merges each split once (ledger persisted with the partial) and acknowledges a
/// merge only after it is persisted, so a merge acknowledged to a partition survives the death of this silo.
/// </summary>
public sealed class AggregatorGrain([PersistentState("aggregator")] IPersistentState<AggregatorGrainState> state) : Grain, IAggregatorGrain
{
    private IComputeJobRunner? _runner;
    private IComputePartial? _merged;
    private MergeLedger? _ledger;

    public async Task<bool> Merge(ComputeJobSpec spec, IComputePartial shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        Load(spec);
        if (!_ledger!.TryAdd(shard))
        {
            return false; // a retried split: merged before
        }

        try
        {
            _merged = _runner!.Merge(_merged!, shard);
            state.State.JobId = spec.JobId;
            state.State.MergedSplits = [.. _ledger.MergedSplits.Order()];
            state.State.Partial = Serializer.Serialize(_merged);
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory is ahead of storage (or the merge failed half-way): forget it and re-read on the next activation.
            _merged = null;
            _ledger = null;
            DeactivateOnIdle();
            throw;
        }

        return true;
    }

    public Task<IComputePartial> GetMerged(ComputeJobSpec spec)
    {
        Load(spec);
        return Task.FromResult(_merged!);
    }

    public async Task Clear()
    {
        _merged = null;
        _ledger = null;
        await state.ClearStateAsync();
    }

    private void Load(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _runner ??= JobRunners.Create(ServiceProvider, spec);
        if (_merged is null || _ledger is null)
        {
            _merged = state.State.Partial is { } bytes ? Serializer.Deserialize<IComputePartial>(bytes) : _runner.CreateEmpty();
            _ledger = new MergeLedger(spec.JobId, state.State.MergedSplits);
        }
    }
}
