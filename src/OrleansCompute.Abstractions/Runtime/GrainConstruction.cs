namespace OrleansCompute.Runtime;

/// <summary>
/// Carries the activation being constructed to <see cref="Grain"/>'s parameterless constructor.
/// The runtime sets it around the (synchronous) grain factory call.
/// </summary>
public static class GrainConstruction
{
    [ThreadStatic]
    private static IGrainContext? s_current;

    /// <summary>The activation whose grain object is being constructed on this thread, if any.</summary>
    public static IGrainContext? Current => s_current;

    /// <summary>Sets <see cref="Current"/> until the returned scope is disposed. For the runtime and tests.</summary>
    public static Scope Enter(IGrainContext context)
    {
        var previous = s_current;
        s_current = context;
        return new Scope(previous);
    }

    /// <summary>Resolves a persistent state for a constructor parameter (called by generated grain factories).</summary>
    public static IPersistentState<TState> GetPersistentState<TState>(IGrainContext context, string stateName, string? storageName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var factory = (IPersistentStateFactory?)context.ActivationServices.GetService(typeof(IPersistentStateFactory))
            ?? throw new InvalidOperationException("No IPersistentStateFactory is registered: grain state needs a silo host.");
        return factory.Create<TState>(context, stateName, storageName);
    }

    /// <summary>Restores the previous construction context.</summary>
    public readonly struct Scope(IGrainContext? previous) : IDisposable
    {
        public void Dispose() => s_current = previous;
    }
}
