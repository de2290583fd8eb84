namespace OrleansCompute.Runtime;

/// <summary>Creates <see cref="IPersistentState{TState}"/> instances for grain constructors (used by generated code).</summary>
public interface IPersistentStateFactory
{
    IPersistentState<TState> Create<TState>(IGrainContext context, string stateName, string? storageName);
}
