using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// The extension point: a job kind as map / combine / finish over key → value. The engine reads the records
/// of a split and calls <see cref="Map"/> for each; map emits into a <see cref="Combiner{TKey, TValue}"/>
/// (values for one key are combined at once, so a split's partial holds one value per key). Partials of
/// different splits are merged with <see cref="Combine"/>, which must be associative and commutative, and
/// the merged partial is turned into a result by <see cref="Finish"/>. The built-in kinds use this too.
/// One instance serves one job and may map several splits at once on different threads, so keep per-record
/// state local (or thread-static).
/// </summary>
public abstract class ComputeJob<TKey, TValue, TResult>
    where TKey : notnull
{
    /// <summary>
    /// The columns <see cref="Map"/> reads, by name (CSV header name or 0-based index, JSON property name);
    /// record columns are numbered in this order. Empty (the default) for jobs that read raw lines.
    /// </summary>
    public virtual IReadOnlyList<string> Columns => [];

    /// <summary>Key equality (default: the key type's own). String keys should use an ordinal comparer.</summary>
    public virtual IEqualityComparer<TKey>? KeyComparer => null;

    /// <summary>
    /// Maps one record: emit key/value pairs into <paramref name="output"/>, or call
    /// <see cref="Combiner{TKey, TValue}.Reject"/> to count the record as bad (emit nothing before rejecting).
    /// </summary>
    public abstract void Map(in ComputeRecord record, Combiner<TKey, TValue> output);

    /// <summary>
    /// Combines two values of one key. Associative and commutative; it may mutate and return
    /// <paramref name="accumulated"/>, and it owns <paramref name="value"/> afterwards.
    /// </summary>
    public abstract TValue Combine(TValue accumulated, TValue value);

    /// <summary>Turns the fully merged partial into the job's result.</summary>
    public abstract TResult Finish(ComputePartial<TKey, TValue> merged);

    /// <summary>
    /// A hash of the key that is the same in every process (used to shard partials across aggregators).
    /// Built in for string, int and long keys; override for other key types.
    /// </summary>
    public virtual int GetStableHash(TKey key) => key switch
    {
        string s => StableHash.Of(s),
        int i => i,
        long l => (int)(l ^ (l >> 32)),
        _ => throw new NotSupportedException($"{GetType().Name}: override GetStableHash for keys of type {typeof(TKey).Name}."),
    };
}
