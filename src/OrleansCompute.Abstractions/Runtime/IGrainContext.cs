namespace OrleansCompute.Runtime;

/// <summary>
/// One activation of a grain as the runtime sees it. Grain code reaches it through
/// <see cref="Grain.GrainContext"/>; the runtime owns the implementation.
/// </summary>
public interface IGrainContext
{
    GrainId GrainId { get; }

    /// <summary>The grain object, once constructed.</summary>
    object? GrainInstance { get; }

    /// <summary>Services for this activation (the silo's container).</summary>
    IServiceProvider ActivationServices { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>Asks the runtime to deactivate this activation once its current turn ends.</summary>
    void Deactivate(DeactivationReason reason, CancellationToken cancellationToken = default);

    /// <summary>Keeps the activation from idle collection for at least <paramref name="timeSpan"/>.</summary>
    void DelayDeactivation(TimeSpan timeSpan);

    /// <summary>Registers a timer whose ticks are turns of this activation. See <see cref="Timers.GrainTimerCreationOptions"/>.</summary>
    Timers.IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state,
        Timers.GrainTimerCreationOptions options);

    /// <summary>Adds a component that is activated (before <c>OnActivateAsync</c>) with this activation.</summary>
    void AddActivationParticipant(IActivationParticipant participant);
}
