namespace OrleansCompute.Runtime;

/// <summary>Persistent grain state injected with <see cref="PersistentStateAttribute"/>.</summary>
public interface IPersistentState<TState> : IStorage<TState>;
