using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// Where a job's map emits: combines values per key as they arrive, so a split's partial never holds more
/// than one value per key. Also offers in-place access for value types, and span keys for string keys
/// (the key string is allocated only the first time it is seen).
/// </summary>
public sealed class Combiner<TKey, TValue>
    where TKey : notnull
{
    private readonly Func<TValue, TValue, TValue> _combine;
    private readonly Dictionary<TKey, TValue> _entries;
    private readonly Dictionary<string, TValue>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly bool _hasSpanLookup;
    private string? _rejection;

    internal Combiner(Dictionary<TKey, TValue> entries, Func<TValue, TValue, TValue> combine)
    {
        _entries = entries;
        _combine = combine;
        if (typeof(TKey) == typeof(string)
            && ((Dictionary<string, TValue>)(object)entries).TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup))
        {
            _spanLookup = lookup;
            _hasSpanLookup = true;
        }
    }

    /// <summary>Distinct keys so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>, combining with what is there.</summary>
    public void Emit(TKey key, TValue value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out var exists);
        slot = exists ? _combine(slot!, value) : value;
    }

    /// <summary>
    /// The value slot of <paramref name="key"/> to update in place; a new slot holds <c>default</c> and
    /// <paramref name="exists"/> is false. The reference is valid until the next call on this combiner.
    /// </summary>
    public ref TValue GetValueRef(TKey key, out bool exists) =>
        ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out exists)!;

    /// <summary>As <see cref="GetValueRef(TKey, out bool)"/> for string keys given as characters (ordinal or default comparer only).</summary>
    public ref TValue GetValueRef(ReadOnlySpan<char> key, out bool exists)
    {
        if (!_hasSpanLookup)
        {
            ThrowNoSpanLookup();
        }

        return ref CollectionsMarshal.GetValueRefOrAddDefault(_spanLookup, key, out exists)!;
    }

    /// <summary>Counts the current record as bad, with a reason for the samples. The first reason given wins.</summary>
    public void Reject(string reason) => _rejection ??= reason;

    internal string? TakeRejection()
    {
        var reason = _rejection;
        _rejection = null;
        return reason;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoSpanLookup() =>
        throw new InvalidOperationException("Span keys need string keys and a comparer that supports them (the default or StringComparer.Ordinal).");
}
