using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansCompute.Hosting;

/// <summary>
/// Orleans's <see cref="PersistentStateFactory"/> plus the claim on activation (a fencing token): after every
/// <c>[PersistentState]</c> of a grain was read (<see cref="GrainLifecycleStage.SetupState"/>) and before the grain's
/// <c>OnActivateAsync</c>, a state whose record exists is written back as read. The write rotates the record's ETag, so an
/// earlier activation of the grain on a silo that was cut off (its writes may still be on their way: queued in its
/// storage client, or in an orphaned TCP connection the kernel delivers after the network heals) holds a stale ETag and
/// none of its writes can land any more; a write of its that landed before the claim was read by it (a conflict between
/// read and claim re-reads and claims again). Cost: one write per activation of a grain with a stored record, only where
/// <see cref="FencingSettings.ShouldClaim"/> (clustered silos, unless configured otherwise).
/// </summary>
internal sealed class ClaimingPersistentStateFactory(IServiceProvider services, FencingSettings settings) : IPersistentStateFactory
{
    private const int ClaimAttempts = 4;
    private readonly PersistentStateFactory _inner = new();

    public IPersistentState<TState> Create<TState>(IGrainContext context, IPersistentStateConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = _inner.Create<TState>(context, config);
        if (settings.ShouldClaim(services))
        {
            context.ObservableLifecycle.Subscribe(nameof(ClaimingPersistentStateFactory), GrainLifecycleStage.SetupState + 1,
                cancellationToken => ClaimAsync(state, cancellationToken));
        }

        return state;
    }

    internal static async Task ClaimAsync<TState>(IPersistentState<TState> state, CancellationToken cancellationToken)
    {
        for (var attempt = 1; state.RecordExists; attempt++)
        {
            try
            {
                await state.WriteStateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InconsistentStateException) when (attempt < ClaimAttempts)
            {
                // A late write of the previous owner landed between our read and our claim: read it and claim again.
                await state.ReadStateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
