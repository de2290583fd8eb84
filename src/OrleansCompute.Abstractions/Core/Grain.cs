using OrleansCompute.Runtime;
using OrleansCompute.Timers;

namespace OrleansCompute;

/// <summary>
/// Base class for grains. The runtime constructs grains (with constructor injection) when a call
/// arrives for an inactive grain, reads injected persistent state, then calls <see cref="OnActivateAsync"/>.
/// Calls run one at a time unless the class is <see cref="Concurrency.ReentrantAttribute">[Reentrant]</see>.
/// </summary>
public abstract class Grain : IAddressable, IHasGrainId
{
    /// <summary>Used when the runtime constructs the grain: picks up the activation being built.</summary>
    protected Grain()
    {
        GrainContext = GrainConstruction.Current ?? throw new InvalidOperationException(
            $"{GetType().Name} was constructed outside the runtime. Grains are created by the silo; get a reference with IGrainFactory.GetGrain.");
    }

    /// <summary>For grains constructed with an explicit context (tests, custom activators).</summary>
    protected Grain(IGrainContext grainContext)
    {
        ArgumentNullException.ThrowIfNull(grainContext);
        GrainContext = grainContext;
    }

    /// <summary>The activation this grain object belongs to.</summary>
    public IGrainContext GrainContext { get; }

    public GrainId GrainId => GrainContext.GrainId;

    /// <summary>For calling other grains.</summary>
    protected IGrainFactory GrainFactory => GrainContext.GrainFactory;

    /// <summary>The silo's services.</summary>
    protected IServiceProvider ServiceProvider => GrainContext.ActivationServices;

    /// <summary>Runs after persistent state was read and before the first call is delivered.
    /// If it throws, the activation fails and the triggering call gets the exception.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once when the activation is deactivated (idle, requested or silo shutdown).
    /// Not called when the silo dies abruptly: persist what matters before acknowledging calls.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation after the current call; the next call activates a fresh one.</summary>
    protected void DeactivateOnIdle() =>
        GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>Keeps this activation from idle collection for at least <paramref name="timeSpan"/>.</summary>
    protected void DelayDeactivation(TimeSpan timeSpan) => GrainContext.DelayDeactivation(timeSpan);

    /// <summary>A timer whose ticks run as turns of this activation (never interleaved with calls).</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return GrainContext.RegisterGrainTimer(static (cb, ct) => cb(ct), callback, new GrainTimerCreationOptions(dueTime, period));
    }

    /// <summary>A timer with explicit options (interleaving, keep-alive).</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return GrainContext.RegisterGrainTimer(static (cb, ct) => cb(ct), callback, options);
    }

    /// <summary>A timer passing <paramref name="state"/> to each tick.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state,
        GrainTimerCreationOptions options) => GrainContext.RegisterGrainTimer(callback, state, options);
}
