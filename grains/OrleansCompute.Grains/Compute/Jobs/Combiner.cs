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
    private Utf8KeyTable<TValue>? _utf8;
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

    /// <summary>
    /// As <see cref="GetValueRef(TKey, out bool)"/> for string keys given as UTF-8 bytes: the fastest way to
    /// count tokens, since a key already seen in this split costs one hash and one byte comparison and no
    /// allocation. The string is made once per distinct key when the split ends (bytes are decoded as UTF-8;
    /// keys that decode to the same string are combined then). <paramref name="exists"/> is about the UTF-8
    /// keys of this split only: values emitted under the same key through the other overloads are combined
    /// with this one at the end of the split.
    /// </summary>
    public ref TValue GetValueRefUtf8(ReadOnlySpan<byte> key, out bool exists)
    {
        if (typeof(TKey) != typeof(string))
        {
            ThrowNoSpanLookup();
        }

        return ref (_utf8 ??= new Utf8KeyTable<TValue>(4096)).GetValueRef(key, out exists);
    }

    /// <summary>Moves the UTF-8 keyed values into the partial's entries (the runner calls this at the end of a split).</summary>
    internal void FlushUtf8()
    {
        var table = _utf8;
        if (table is null)
        {
            return;
        }

        _utf8 = null;
        var entries = (Dictionary<string, TValue>)(object)_entries;
        entries.EnsureCapacity(entries.Count + table.Count);
        for (var i = 0; i < table.Count; i++)
        {
            var key = System.Text.Encoding.UTF8.GetString(table.KeyAt(i));
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(entries, key, out var exists);
            slot = exists ? _combine(slot!, table.ValueAt(i)) : table.ValueAt(i);
        }
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
