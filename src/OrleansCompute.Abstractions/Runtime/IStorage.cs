namespace OrleansCompute.Runtime;

/// <summary>Grain state with explicit read/write/clear, as injected into grains.</summary>
public interface IStorage<TState>
{
    /// <summary>The state. Reading missing state yields a new <typeparamref name="TState"/>.</summary>
    TState State { get; set; }

    /// <summary>The version tag of what was last read or written; null when no record exists.</summary>
    string? Etag { get; }

    /// <summary>True when a record exists in storage (after a read or write).</summary>
    bool RecordExists { get; }

    /// <summary>Re-reads state from storage (it is read automatically before <c>OnActivateAsync</c>).</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes <see cref="State"/>. Throws <see cref="Storage.InconsistentStateException"/> if the record changed since it was read.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the record and resets <see cref="State"/> to a new value.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
