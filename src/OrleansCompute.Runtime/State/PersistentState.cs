using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.State;

/// <summary>
/// <see cref="IPersistentState{TState}"/> over an <see cref="IGrainStorage"/>: read before
/// <c>OnActivateAsync</c>, written and cleared when the grain asks, with the provider's ETag checks.
/// </summary>
internal sealed class PersistentState<TState>(string stateName, GrainId grainId, IGrainStorage storage, string storageName)
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

    Task IActivationParticipant.OnActivatingAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

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
