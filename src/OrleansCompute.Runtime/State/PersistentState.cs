using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.State;

/// <summary>
/// <see cref="IPersistentState{TState}"/> over an <see cref="IGrainStorage"/>: read before
/// <c>OnActivateAsync</c>, written and cleared when the grain asks, with the provider's ETag checks.
/// </summary>
/// <remarks>
/// In a cluster (<paramref name="claimOnActivate"/>), an activation that finds an existing record claims it before the
/// grain runs: it writes the record back, which gives it a new ETag. A previous activation on a silo that was cut off
/// (and may still have writes on their way: queued in its client, or in an orphaned TCP connection that delivers
/// after the network heals) holds the old ETag, so none of its writes can land any more; a write that landed before
/// the claim was read by it. This is the fencing token a partition needs, at one extra write per activation.
/// </remarks>
internal sealed class PersistentState<TState>(string stateName, GrainId grainId, IGrainStorage storage, string storageName,
    bool claimOnActivate = false)
    : IPersistentState<TState>, IActivationParticipant
{
    private readonly GrainState<TState> _grainState = new(GrainStateDefaults.Create<TState>());

    public TState State
    {
        get => _grainState.State;
        set => _grainState.State = value;
    }

    public string? Etag => _grainState.ETag;

    public bool RecordExists => _grainState.RecordExists;

    public Task ReadStateAsync(CancellationToken cancellationToken = default) =>
        Wrap(storage.ReadStateAsync(stateName, grainId, _grainState, cancellationToken), "read");

    public Task WriteStateAsync(CancellationToken cancellationToken = default) =>
        Wrap(storage.WriteStateAsync(stateName, grainId, _grainState, cancellationToken), "write");

    public Task ClearStateAsync(CancellationToken cancellationToken = default) =>
        Wrap(storage.ClearStateAsync(stateName, grainId, _grainState, cancellationToken), "clear");

    Task IActivationParticipant.OnActivatingAsync(CancellationToken cancellationToken) =>
        claimOnActivate ? ReadAndClaimAsync(cancellationToken) : ReadStateAsync(cancellationToken);

    private async Task ReadAndClaimAsync(CancellationToken cancellationToken)
    {
        await ReadStateAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; _grainState.RecordExists; attempt++)
        {
            try
            {
                await WriteStateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InconsistentStateException) when (attempt < 3)
            {
                // A late write from the previous owner landed between our read and our claim: read it and claim again.
                await ReadStateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task Wrap(Task operation, string verb) => operation.IsCompletedSuccessfully ? operation : AwaitAsync(operation, verb);

    private async Task AwaitAsync(Task operation, string verb)
    {
        try
        {
            await operation;
        }
        catch (Exception ex) when (ex is not InconsistentStateException and not OperationCanceledException and not GrainStorageException)
        {
            throw new InvalidOperationException(
                $"Could not {verb} state '{stateName}' of {grainId} in storage '{storageName}': {ex.Message}", ex);
        }
    }
}
