using OrleansCompute.Runtime;

namespace OrleansCompute.Storage;

/// <summary>
/// A grain state store with optimistic concurrency. The contract every provider follows
/// (and the conformance suite checks):
/// <list type="bullet">
/// <item>Read of a missing record: <c>State</c> is a new/default value, <c>ETag</c> null, <c>RecordExists</c> false.</item>
/// <item>Write succeeds only when <c>grainState.ETag</c> equals the stored record's tag (null when no record exists);
/// on success the provider sets a new <c>ETag</c> (different on every write) and <c>RecordExists = true</c>.</item>
/// <item>A write or clear with a stale or null tag over an existing record throws <see cref="InconsistentStateException"/>
/// and leaves the stored value untouched.</item>
/// <item>Clear deletes the record (tag checked like a write) and leaves <c>ETag</c> null and <c>RecordExists</c> false.</item>
/// <item>Records are keyed by (state name, grain id): different state names are independent.</item>
/// </list>
/// </summary>
public interface IGrainStorage
{
    Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);

    Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);

    Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);
}
