using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// The pool of the big arrays jobs rent (count-table slots, packed word arenas: megabytes each), which, unlike
/// <see cref="ArrayPool{T}.Shared"/>, can be emptied at once: <see cref="LargeArrayPools.Trim"/> drops every pooled
/// array when the silo goes idle (<c>IdleMemoryTrimmer</c>). <c>ArrayPool.Shared</c> keeps an array per size per
/// thread and up to eight per core, and lets one go only at a full collection after a minute unused, so after a job it
/// held hundreds of megabytes for good. Arrays under 64 KiB go to <see cref="ArrayPool{T}.Shared"/> as before.
/// Rent and return cost one uncontended lock each, a few per split.
/// </summary>
internal sealed class LargeArrayPool<T> : LargeArrayPools
{
    private const int MinimumBytes = 64 << 10;

    private static readonly int s_minimumLength = Math.Max(1, MinimumBytes / Unsafe.SizeOf<T>());

    // Bucket i holds arrays of exactly 2^i elements; at most this many each (one per concurrent split, with room).
    private static readonly int s_perBucket = Math.Max(4, 2 * Environment.ProcessorCount);

    private readonly Stack<T[]>[] _buckets = new Stack<T[]>[31];

    private LargeArrayPool()
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Stack<T[]>();
        }
    }

    public static LargeArrayPool<T> Shared { get; } = Register(new LargeArrayPool<T>());

    /// <summary>An array of at least <paramref name="minimumLength"/> elements, not cleared (as <see cref="ArrayPool{T}.Rent"/>).</summary>
    public T[] Rent(int minimumLength)
    {
        if (minimumLength < s_minimumLength)
        {
            return ArrayPool<T>.Shared.Rent(minimumLength);
        }

        if (minimumLength > 1 << 30)
        {
            return new T[minimumLength]; // not pooled: one bucket past 2^30 elements would not fit an array
        }

        var length = (int)BitOperations.RoundUpToPowerOf2((uint)minimumLength);
        var bucket = _buckets[BitOperations.Log2((uint)length)];
        lock (bucket)
        {
            if (bucket.TryPop(out var array))
            {
                return array;
            }
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Gives back an array from <see cref="Rent"/>; it must not be used afterwards.</summary>
    public void Return(T[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length < s_minimumLength)
        {
            ArrayPool<T>.Shared.Return(array);
            return;
        }

        if (!BitOperations.IsPow2(array.Length))
        {
            return; // an unpooled one (over 2^30 elements): the GC takes it
        }

        var bucket = _buckets[BitOperations.Log2((uint)array.Length)];
        lock (bucket)
        {
            if (bucket.Count < s_perBucket)
            {
                bucket.Push(array);
            }
        }
    }

    protected override long Clear()
    {
        long bytes = 0;
        foreach (var bucket in _buckets)
        {
            lock (bucket)
            {
                foreach (var array in bucket)
                {
                    bytes += (long)array.Length * Unsafe.SizeOf<T>();
                }

                bucket.Clear();
            }
        }

        return bytes;
    }
}

/// <summary>Every <see cref="LargeArrayPool{T}"/> in the process, to empty them together.</summary>
internal abstract class LargeArrayPools
{
    private static readonly List<LargeArrayPools> s_pools = [];

    /// <summary>Drops every pooled array of every pool; returns the bytes let go (the next collection frees them).</summary>
    public static long Trim()
    {
        LargeArrayPools[] pools;
        lock (s_pools)
        {
            pools = [.. s_pools];
        }

        long bytes = 0;
        foreach (var pool in pools)
        {
            bytes += pool.Clear();
        }

        return bytes;
    }

    protected static TPool Register<TPool>(TPool pool)
        where TPool : LargeArrayPools
    {
        lock (s_pools)
        {
            s_pools.Add(pool);
        }

        return pool;
    }

    protected abstract long Clear();
}
