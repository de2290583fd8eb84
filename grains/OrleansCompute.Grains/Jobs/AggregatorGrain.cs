using Orleans.Concurrency;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// One shard of a job's result: merges each split once (ledger persisted with the partial) and acknowledges a
/// merge only after it is persisted, so a merge acknowledged to a partition survives the death of this silo.
/// Merges are group-committed: the grain is reentrant, merges that arrive while a write is in flight are applied
/// in memory and all covered by the next single write (one state write per burst of splits, not one per split).
/// </summary>
[Reentrant]
public sealed class AggregatorGrain(
    [PersistentState("aggregator")] IPersistentState<AggregatorGrainState> state,
    Serializer serializer) : Grain, IAggregatorGrain
{
    private IComputeJobRunner? _runner;
    private IComputePartial? _merged;
    private MergeLedger? _ledger;
    private Task? _writing; // the write in flight
    private Task? _next;    // the write that will cover what was merged since _writing took its snapshot
    private bool _broken;   // a write failed: memory may be ahead of storage until this activation is gone
    private Task? _finishing; // a Finish reading the merged partial on a compute thread: merges wait for it
    private bool _handedOut;  // GetMerged gave the partial to a caller

    public async Task<bool> Merge(ComputeJobSpec spec, IComputePartial shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        using var activity = Telemetry.ComputeInstrumentation.Tracing ? Telemetry.ComputeInstrumentation.StartMerge(spec.JobId, this.GetPrimaryKeyString()) : null;
        while (_finishing is { IsCompleted: false } finishing)
        {
            await finishing; // never mutate the partial a Finish is reading
        }

        ThrowIfBroken();
        Load(spec);
        if (!_ledger!.TryAdd(shard))
        {
            // A retried split, merged before: acknowledge it only once the write that covers it is done.
            await (_next ?? _writing ?? Task.CompletedTask);
            return false;
        }

        try
        {
            _merged = _runner!.Merge(_merged!, shard);
        }
        catch
        {
            Break();
            throw;
        }

        await Persist();
        return true;
    }

    public Task<IComputePartial> GetMerged(ComputeJobSpec spec)
    {
        ThrowIfBroken();
        Load(spec);
        _handedOut = true; // a local caller holds this very partial: never release it
        return Task.FromResult(_merged!);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Writes snapshot the partial in the turn that starts them, and no turn runs now: its storage can go back —
        // unless a Finish still reads it on a compute thread (a shutdown that did not wait for it).
        if (_merged is { } merged && !_handedOut && _finishing is null or { IsCompleted: true })
        {
            _runner?.Release(merged);
        }

        _merged = null;
        return Task.CompletedTask;
    }

    public async Task<ShardResult> Finish(ComputeJobSpec spec)
    {
        ThrowIfBroken();
        Load(spec);
        while ((_next ?? _writing) is { IsCompleted: false } write)
        {
            await write; // only what is durable (a failed write breaks this activation: see below)
        }

        ThrowIfBroken();
        var merged = _merged!;
        var runner = _runner!;
        var finishing = ComputeThreads.Run(() => new ShardResult { SplitIds = [.. merged.SplitIds], Result = runner.FinishShard(merged) });
        _finishing = finishing;
        try
        {
            return await finishing;
        }
        finally
        {
            // The job keeps the joined result: this shard's table and result leave memory now rather than after the
            // idle collection age. Asked again (a split re-run, a new job activation), it reactivates from storage.
            _finishing = null;
            DeactivateOnIdle();
        }
    }

    public async Task Clear()
    {
        await (_next ?? _writing ?? Task.CompletedTask);
        _merged = null;
        _ledger = null;
        await state.ClearStateAsync();
        DeactivateOnIdle(); // nothing left to hold
    }

    private Task Persist()
    {
        if (_next is not null)
        {
            return _next; // a write is queued behind the one in flight and will include this merge
        }

        if (_writing is null || _writing.IsCompleted)
        {
            return _writing = WriteNow();
        }

        return _next = WriteAfter(_writing);
    }

    private async Task WriteAfter(Task previous)
    {
        await previous; // a failed write fails the merges waiting for the next one too (their partitions retry)
        _next = null;   // merges from here on need a later write
        await (_writing = WriteNow());
    }

    private async Task WriteNow()
    {
        try
        {
            // Snapshot synchronously (this turn): merges that interleave during the write wait for the next one.
            state.State.JobId = _runner!.Spec.JobId;
            state.State.MergedSplits = [.. _ledger!.MergedSplits.Order()];
            state.State.Partial = serializer.SerializeToArray(_merged!);
            await state.WriteStateAsync();
        }
        catch
        {
            Break();
            throw;
        }
    }

    /// <summary>Memory is ahead of storage (or a merge failed half-way): refuse calls until re-activated from storage.</summary>
    private void Break()
    {
        _broken = true;
        _merged = null;
        _ledger = null;
        DeactivateOnIdle();
    }

    private void ThrowIfBroken()
    {
        if (_broken)
        {
            throw new InvalidOperationException("This aggregator's last write failed; it re-reads its state on its next activation. Retry.");
        }
    }

    private void Load(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _runner ??= JobRunners.Create(ServiceProvider, spec);
        if (_merged is null || _ledger is null)
        {
            _merged = state.State.Partial is { } bytes ? serializer.Deserialize<IComputePartial>(bytes)! : _runner.CreateEmpty();
            _ledger = new MergeLedger(spec.JobId, state.State.MergedSplits);
        }
    }
}
