namespace OrleansCompute.Runtime;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    None = 0,
    /// <summary>The grain asked for it (<c>DeactivateOnIdle</c>).</summary>
    ApplicationRequested,
    /// <summary>Idle for longer than the collection age.</summary>
    ActivationIdle,
    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,
    /// <summary><c>OnActivateAsync</c> or a state read failed.</summary>
    ActivationFailed,
    /// <summary>Another activation of the same grain exists elsewhere.</summary>
    DuplicateActivation,
    /// <summary>An unexpected runtime error.</summary>
    RuntimeError,
}
