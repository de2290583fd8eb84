using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// The content fingerprint of an ingest batch: what tells a re-send (same events: a duplicate) from a reuse of its
/// (producer, sequence) for other events (a conflict). It covers what the dataset records: each event's key and its
/// values (name and number). It ignores the order of the events and of their values, and timestamps: an event without
/// one is stamped with the server's clock on arrival, so a re-send would differ there, and neither order nor timestamps
/// change any total. A multiset hash: each event hashes to 64 bits (XxHash3 of the key, seeded with the order-free sum of
/// its values' hashes) and the batch adds them up, so it is computed in the one pass that validates the events, without
/// sorting or allocating. Stable across processes and versions (it is stored with the producer's window), never 0.
/// </summary>
internal static class BatchFingerprint
{
    /// <summary>The fingerprint of <paramref name="events"/>, from the same pieces the ingest grain uses in its validation pass.</summary>
    public static ulong Of(IReadOnlyList<IngestEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        ulong sum = 0;
        foreach (var e in events)
        {
            ulong values = 0;
            foreach (var (name, value) in e.Values)
            {
                values = unchecked(values + Value(name, value));
            }

            sum = unchecked(sum + OfEvent(e.Key, values));
        }

        return Finish(sum, events.Count);
    }

    /// <summary>One event's hash from its key and the sum of its values' <see cref="Value"/> hashes.</summary>
    public static ulong OfEvent(string key, ulong values) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), unchecked((long)values));

    /// <summary>One value's hash: the name's UTF-16 bytes seeded with the number's bits (-0 counted as 0).</summary>
    public static ulong Value(string name, double value) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan()), BitConverter.DoubleToInt64Bits(value + 0.0));

    /// <summary>The batch's fingerprint from the sum of its events' hashes and their count.</summary>
    public static ulong Finish(ulong sum, int count)
    {
        // fmix64 (MurmurHash3's finalizer) over the sum and the count, so a batch and the same batch with an extra empty-hash
        // event differ, and the result spreads over all 64 bits.
        var h = sum ^ ((ulong)count * 0x9E3779B97F4A7C15UL);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h == 0 ? 1 : h;
    }
}
