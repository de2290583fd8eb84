using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// Counts per UTF-8 key (word count's table, from the map through the aggregators): open addressing with linear
/// probing over 32-byte slots that hold the key's hash, its length, its count and — for keys of at most 16 bytes,
/// nearly every word — the key bytes themselves. Finding a word that is already there reads one slot (one cache
/// line) instead of a bucket, an entry and the key's bytes elsewhere; longer keys live in one arena. Slots are at
/// most half full.
/// <para>
/// The hash is a fixed function of the bytes (no per-process seed), so it is the same in every silo: shards cut by
/// <see cref="ShardOf(int, int)"/> agree across processes, and a table can be sharded, merged and serialized
/// without rehashing inline keys. Buckets use the hash's low bits and shards its high bits, so a shard's table
/// still spreads over all its buckets. Not thread-safe.
/// </para>
/// </summary>
public sealed class Utf8CountTable
{
    private const int InlineBytes = 16;
    private const int MinSlots = 64;

    private Slot[] _slots; // rented: the first _mask + 1 slots are the table; null once released
    private byte[] _arena = [];
    private int _arenaUsed;
    private int _mask;

    /// <summary>A table sized for <paramref name="capacity"/> keys before it grows.</summary>
    public Utf8CountTable(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinSlots, capacity * 2));
        _slots = RentSlots(size);
        _mask = size - 1;
    }

    /// <summary>Distinct keys.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of all counts.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (ref readonly var slot in Slots)
            {
                total += slot.Count;
            }

            return total;
        }
    }

    /// <summary>Slots to iterate with <see cref="TryGetEntry"/> (0..SlotCount-1; most are empty).</summary>
    public int SlotCount => _mask + 1;

    private Span<Slot> Slots => _slots.AsSpan(0, _mask + 1);

    /// <summary>
    /// Gives the slots back to the pool they were rented from (a split's table is 8 MiB: renting saves the large
    /// object heap a collection per job). The table must not be used afterwards; the runner releases a table when it
    /// is merged into another or sharded, and an aggregator when it deactivates.
    /// </summary>
    public void Release()
    {
        var slots = _slots;
        _slots = null!;
        if (slots is not null)
        {
            LargeArrayPool<Slot>.Shared.Return(slots);
        }
    }

    /// <summary>The count slot of <paramref name="key"/>, 0 when the key is new (then added). Valid until the next key is added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref long GetCountRef(ReadOnlySpan<byte> key)
    {
        if (key.Length <= InlineBytes)
        {
            Load(key, out var k0, out var k1);
            return ref GetInlineCountRef(k0, k1, key.Length);
        }

        return ref GetLongCountRef(key);
    }

    /// <summary>
    /// As <see cref="GetCountRef"/> for a word of ASCII letters, digits and apostrophes of at most 16 bytes, read
    /// straight from the text and lower-cased on the way in when <paramref name="lower"/> (the bytes of the text are
    /// not copied or changed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref long GetCountRefAsciiWord(ReadOnlySpan<byte> word, bool lower)
    {
        Debug.Assert(word.Length <= InlineBytes);
        Load(word, out var k0, out var k1);
        if (lower)
        {
            // Letters have 0x40 set (digits and the apostrophe do not): OR-ing 0x20 into those makes them lower case.
            const ulong letterBit = 0x4040404040404040UL;
            k0 |= (k0 & letterBit) >> 1;
            k1 |= (k1 & letterBit) >> 1;
        }

        return ref GetInlineCountRef(k0, k1, word.Length);
    }

    /// <summary>Keys longer than this go to the arena; <see cref="GetCountRefAsciiWord"/> takes at most this many bytes.</summary>
    public static int MaxInlineKey => InlineBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref long GetInlineCountRef(ulong k0, ulong k1, int keyLength)
    {
        var hash = HashInline(k0, k1, keyLength);
        var length = keyLength + 1;
        var i = hash & _mask;
        while (true)
        {
            ref var slot = ref _slots[i];
            if (slot.Length == length && slot.Hash == hash && slot.K0 == k0 && slot.K1 == k1)
            {
                return ref slot.Count;
            }

            if (slot.Length == 0)
            {
                return ref AddInline(i, hash, length, k0, k1, 0);
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds <paramref name="count"/> to <paramref name="key"/>'s count.</summary>
    public void Add(ReadOnlySpan<byte> key, long count) => GetCountRef(key) += count;

    /// <summary>Adds every count of <paramref name="other"/> into this table (no key is decoded or rehashed).</summary>
    public void AddAll(Utf8CountTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        EnsureCapacity(Count + other.Count);
        foreach (ref readonly var slot in other.Slots)
        {
            if (slot.Length != 0)
            {
                AddSlot(other, slot, slot.Count);
            }
        }
    }

    /// <summary>Cuts this table into <paramref name="shardCount"/> tables by <see cref="ShardOf(int, int)"/>.</summary>
    public Utf8CountTable[] Shard(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var shards = new Utf8CountTable[shardCount];
        var expected = (Count / shardCount) + (Count / (4 * shardCount)) + 16;
        for (var s = 0; s < shardCount; s++)
        {
            shards[s] = new Utf8CountTable(expected);
        }

        foreach (ref readonly var slot in Slots)
        {
            if (slot.Length != 0)
            {
                shards[ShardOf(slot.Hash, shardCount)].AddSlot(this, slot, slot.Count);
            }
        }

        return shards;
    }

    /// <summary>
    /// The entry in slot <paramref name="index"/>: false for an empty slot. An inline key is copied into
    /// <paramref name="scratch"/> (at least 16 bytes), a long one is a view of the arena.
    /// </summary>
    public bool TryGetEntry(int index, Span<byte> scratch, out ReadOnlySpan<byte> key, out long count)
    {
        ref readonly var slot = ref _slots[index];
        if (slot.Length == 0)
        {
            key = default;
            count = 0;
            return false;
        }

        key = KeyOf(slot, scratch);
        count = slot.Count;
        return true;
    }

    /// <summary>The shard (0..count-1) of a key, as <see cref="Shard"/> assigns it; the same in every process.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => ShardOf(HashOf(key), shardCount);

    /// <summary>The shard of a key hash: its high bits (buckets use the low ones).</summary>
    public static int ShardOf(int hash, int shardCount) => (int)(((ulong)(uint)hash * (uint)shardCount) >> 32);

    /// <summary>The table's hash of a key (a fixed function of the bytes).</summary>
    public static int HashOf(ReadOnlySpan<byte> key)
    {
        if (key.Length <= InlineBytes)
        {
            Load(key, out var k0, out var k1);
            return HashInline(k0, k1, key.Length);
        }

        return HashLong(key);
    }

    private ReadOnlySpan<byte> KeyOf(in Slot slot, Span<byte> scratch)
    {
        var length = slot.Length - 1;
        if (length <= InlineBytes)
        {
            MemoryMarshal.Write(scratch, slot.K0);
            MemoryMarshal.Write(scratch[8..], slot.K1);
            return scratch[..length];
        }

        return _arena.AsSpan((int)slot.K0, length);
    }

    /// <summary>Adds a slot of <paramref name="from"/> (same hash function, so the stored hash is reused).</summary>
    private void AddSlot(Utf8CountTable from, in Slot source, long count)
    {
        var length = source.Length - 1;
        if (length > InlineBytes)
        {
            Add(from._arena.AsSpan((int)source.K0, length), count);
            return;
        }

        var i = source.Hash & _mask;
        while (true)
        {
            ref var slot = ref _slots[i];
            if (slot.Length == source.Length && slot.Hash == source.Hash && slot.K0 == source.K0 && slot.K1 == source.K1)
            {
                slot.Count += count;
                return;
            }

            if (slot.Length == 0)
            {
                AddInline(i, source.Hash, source.Length, source.K0, source.K1, count);
                return;
            }

            i = (i + 1) & _mask;
        }
    }

    private ref long GetLongCountRef(ReadOnlySpan<byte> key)
    {
        var hash = HashLong(key);
        var length = key.Length + 1;
        var i = hash & _mask;
        while (true)
        {
            ref var slot = ref _slots[i];
            if (slot.Length == length && slot.Hash == hash && key.SequenceEqual(_arena.AsSpan((int)slot.K0, key.Length)))
            {
                return ref slot.Count;
            }

            if (slot.Length == 0)
            {
                if (_arenaUsed + key.Length > _arena.Length)
                {
                    Array.Resize(ref _arena, Math.Max(Math.Max(4096, _arena.Length * 2), _arenaUsed + key.Length));
                }

                key.CopyTo(_arena.AsSpan(_arenaUsed));
                var start = _arenaUsed;
                _arenaUsed += key.Length;
                return ref AddInline(i, hash, length, (ulong)start, 0, 0);
            }

            i = (i + 1) & _mask;
        }
    }

    private ref long AddInline(int index, int hash, int length, ulong k0, ulong k1, long count)
    {
        if ((Count + 1) * 2 > _mask + 1)
        {
            Grow((_mask + 1) * 2);
            index = hash & _mask;
            while (_slots[index].Length != 0)
            {
                index = (index + 1) & _mask;
            }
        }

        ref var slot = ref _slots[index];
        slot.Hash = hash;
        slot.Length = length;
        slot.K0 = k0;
        slot.K1 = k1;
        slot.Count = count;
        Count++;
        return ref slot.Count;
    }

    private void EnsureCapacity(int keys)
    {
        if (keys * 2 > _mask + 1)
        {
            Grow((int)BitOperations.RoundUpToPowerOf2((uint)(keys * 2)));
        }
    }

    private void Grow(int size)
    {
        var old = _slots;
        var oldSize = _mask + 1;
        _slots = RentSlots(size);
        _mask = size - 1;
        foreach (ref readonly var slot in old.AsSpan(0, oldSize))
        {
            if (slot.Length != 0)
            {
                var i = slot.Hash & _mask;
                while (_slots[i].Length != 0)
                {
                    i = (i + 1) & _mask;
                }

                _slots[i] = slot;
            }
        }

        LargeArrayPool<Slot>.Shared.Return(old);
    }

    private static Slot[] RentSlots(int size)
    {
        var slots = LargeArrayPool<Slot>.Shared.Rent(size);
        Array.Clear(slots, 0, size); // a returned array keeps its old slots
        return slots;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(ReadOnlySpan<byte> key, out ulong k0, out ulong k1)
    {
        ref var p = ref MemoryMarshal.GetReference(key);
        var n = key.Length;
        if (n >= 8)
        {
            k0 = Unsafe.ReadUnaligned<ulong>(ref p);
            // The last 8 bytes, shifted so the bytes already in k0 drop out: bytes 8..n-1, zero-padded.
            k1 = n == 8 ? 0 : Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8)) >> ((16 - n) * 8);
            return;
        }

        k1 = 0;
        if (n >= 4)
        {
            // Bytes 0..3 and n-4..n-1, the second shifted into place (where they overlap the bytes are the same).
            var lo = (ulong)Unsafe.ReadUnaligned<uint>(ref p);
            var hi = (ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, n - 4));
            k0 = lo | (hi << ((n - 4) * 8));
            return;
        }

        k0 = n switch
        {
            0 => 0,
            1 => p,
            2 => Unsafe.ReadUnaligned<ushort>(ref p),
            _ => Unsafe.ReadUnaligned<ushort>(ref p) | ((ulong)Unsafe.Add(ref p, 2) << 16),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HashInline(ulong k0, ulong k1, int length)
    {
        const ulong m1 = 0x9E3779B97F4A7C15UL;
        const ulong m2 = 0xC2B2AE3D27D4EB4FUL;
        var h = (k0 * m1) ^ BitOperations.RotateLeft(k1 * m2, 31) ^ ((ulong)length * 0x165667B19E3779F9UL);
        h ^= h >> 29;
        h *= m2;
        h ^= h >> 32;
        return (int)h;
    }

    private static int HashLong(ReadOnlySpan<byte> key)
    {
        const ulong m = 0x9E3779B97F4A7C15UL;
        ref var p = ref MemoryMarshal.GetReference(key);
        var h = (ulong)key.Length * 0x165667B19E3779F9UL;
        var i = 0;
        for (; i + 8 <= key.Length; i += 8)
        {
            h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i))) * m;
            h ^= h >> 29;
        }

        if (i < key.Length)
        {
            h = (h ^ (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, key.Length - 8)) >> ((8 - (key.Length - i)) * 8))) * m;
        }

        h ^= h >> 32;
        h *= 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 29;
        return (int)h;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public ulong K0;    // key bytes 0..7 (zero-padded); for a key over 16 bytes its arena offset
        public ulong K1;    // key bytes 8..15 (zero-padded)
        public int Hash;
        public int Length;  // key length + 1; 0 = empty slot
        public long Count;
    }
}
