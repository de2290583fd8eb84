using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// A hash table from UTF-8 (or any byte) keys to values, for the map side of a split: open addressing with
/// linear probing over a power-of-two bucket array, key bytes copied once into one growing arena, so a lookup
/// of a key that is already there allocates nothing (no string per token). Entries stay in insertion order
/// and are never removed. Not thread-safe: one table per split.
/// </summary>
public sealed class Utf8KeyTable<TValue>
{
    private int[] _buckets; // entry index + 1; 0 = empty
    private Entry[] _entries;
    private byte[] _arena;
    private int _arenaUsed;
    private int _mask;

    public Utf8KeyTable(int capacity = 1024)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _buckets = new int[size];
        _mask = size - 1;
        _entries = new Entry[Math.Max(8, capacity)];
        _arena = new byte[Math.Max(256, capacity * 8)];
    }

    /// <summary>Distinct keys.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The value slot of <paramref name="key"/>; a new key gets a <c>default</c> slot and
    /// <paramref name="exists"/> false. The reference is valid until the next call that adds a key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRef(ReadOnlySpan<byte> key, out bool exists)
    {
        if (key.Length <= 8)
        {
            return ref GetValueRefShort(key, Head(key), out exists);
        }

        var hash = Hash(key);
        var bucket = hash & _mask;
        var entries = _entries;
        var head = Head(key);
        while (true)
        {
            var index = _buckets[bucket] - 1;
            if (index < 0)
            {
                break;
            }

            ref var entry = ref entries[index];
            if (entry.Hash == hash && entry.KeyLength == key.Length && entry.Head == head
                && key.SequenceEqual(_arena.AsSpan(entry.KeyStart, entry.KeyLength)))
            {
                exists = true;
                return ref entry.Value;
            }

            bucket = (bucket + 1) & _mask;
        }

        exists = false;
        return ref Add(key, hash, bucket);
    }

    /// <summary>
    /// <see cref="GetValueRef"/> for a key of up to 8 bytes whose <paramref name="head"/> (its bytes as a little-endian
    /// number, zero-padded) the caller already has — e.g. one unaligned load from the record, masked to the key's length.
    /// Such keys are told apart by length and head alone, with no byte compare.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefShort(ReadOnlySpan<byte> key, ulong head, out bool exists)
    {
        var index = FindShort(head, key.Length, out var bucket);
        exists = index >= 0;
        return ref exists ? ref _entries[index].Value : ref Add(key, ShortHash(head, key.Length), bucket);
    }

    /// <summary>
    /// The entry index (insertion order) of the key of up to 8 bytes with this <paramref name="head"/> and
    /// <paramref name="length"/>, or -1 when the table does not hold it (add it with <see cref="GetValueRefShort"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOfShort(ulong head, int length) => FindShort(head, length, out _);

    /// <summary>The entry of a short key, or -1 and the empty bucket where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindShort(ulong head, int length, out int bucket)
    {
        var mask = _mask;
        bucket = ShortHash(head, length) & mask;
        var buckets = _buckets;
        var entries = _entries;
        while (true)
        {
            var index = buckets[bucket] - 1;
            if (index < 0 || (entries[index].Head == head && entries[index].KeyLength == length))
            {
                return index;
            }

            bucket = (bucket + 1) & mask;
        }
    }

    /// <summary>The bytes of a key of up to 8 bytes as a little-endian number, zero-padded: what <see cref="GetValueRefShort"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Head(ReadOnlySpan<byte> key)
    {
        ref var p = ref MemoryMarshal.GetReference(key);
        var n = key.Length;
        if (n >= 8)
        {
            return Unsafe.ReadUnaligned<ulong>(ref p);
        }

        if (n >= 4)
        {
            // Two overlapping 4-byte loads: the overlap holds the same bytes in both.
            return Unsafe.ReadUnaligned<uint>(ref p) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, n - 4)) << ((n - 4) * 8));
        }

        if (n == 0)
        {
            return 0;
        }

        return p | ((ulong)Unsafe.Add(ref p, n >> 1) << ((n >> 1) * 8)) | ((ulong)Unsafe.Add(ref p, n - 1) << ((n - 1) * 8));
    }

    /// <summary>The key of entry <paramref name="index"/> (0..Count-1, insertion order).</summary>
    public ReadOnlySpan<byte> KeyAt(int index) => _arena.AsSpan(_entries[index].KeyStart, _entries[index].KeyLength);

    /// <summary>The value of entry <paramref name="index"/> (0..Count-1, insertion order).</summary>
    public ref TValue ValueAt(int index) => ref _entries[index].Value;

    /// <summary>
    /// A fast, non-cryptographic hash of the bytes (keys of more than 8 bytes; shorter ones hash their head) (8 bytes at a time, multiply-xorshift mixing).
    /// In-process only: never use it for anything that crosses processes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(ReadOnlySpan<byte> key)
    {
        const ulong m = 0x9E3779B97F4A7C15UL;
        var h = (ulong)key.Length * m;
        ref var p = ref MemoryMarshal.GetReference(key);
        var n = key.Length;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i))) * m;
            h ^= h >> 29;
        }

        if (i < n)
        {
            ulong tail;
            var rest = n - i;
            if (rest >= 4)
            {
                tail = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
                tail |= (ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, n - 4)) << 32;
            }
            else
            {
                tail = Unsafe.Add(ref p, i) | ((ulong)Unsafe.Add(ref p, i + (rest >> 1)) << 8) | ((ulong)Unsafe.Add(ref p, n - 1) << 16);
            }

            h = (h ^ tail) * m;
        }

        h ^= h >> 32;
        h *= m;
        return (int)(h >> 32) & int.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShortHash(ulong head, int length) => (int)(((head + (ulong)length) * 0x9E3779B97F4A7C15UL) >> 33); // Fibonacci hashing: the top bits mix every byte

    private ref TValue Add(ReadOnlySpan<byte> key, int hash, int bucket)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        if (_arenaUsed + key.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + key.Length));
        }

        key.CopyTo(_arena.AsSpan(_arenaUsed));
        var index = Count++;
        ref var entry = ref _entries[index];
        entry.Hash = hash;
        entry.KeyStart = _arenaUsed;
        entry.KeyLength = key.Length;
        entry.Head = Head(key);
        entry.Value = default!;
        _arenaUsed += key.Length;
        _buckets[bucket] = index + 1;
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return ref _entries[index].Value;
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var i = 0; i < Count; i++)
        {
            var bucket = _entries[i].Hash & mask;
            while (buckets[bucket] != 0)
            {
                bucket = (bucket + 1) & mask;
            }

            buckets[bucket] = i + 1;
        }

        _buckets = buckets;
        _mask = mask;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        public int Hash;
        public int KeyStart;
        public int KeyLength;
        public ulong Head; // the first 8 key bytes, zero-padded
        public TValue Value;
    }
}
