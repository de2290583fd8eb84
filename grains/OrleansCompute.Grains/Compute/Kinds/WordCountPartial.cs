using System.Buffers;
using OrleansCompute.Grains.Compute.Jobs;
using Orleans;
using Orleans.Serialization;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The partial of the built-in word count: word → count kept as UTF-8 keys in a <see cref="Utf8CountTable"/> from
/// the map through shards and merges, so no string is made per distinct word until a shard is finished. Crosses
/// silos and is persisted by the aggregators through <see cref="WordCountPartialConverter"/>: the table
/// travels as one packed byte string (length, bytes, count per word), not as an object per entry.
/// </summary>
[Immutable]
public sealed class WordCountPartial : IComputePartial
{
    public string JobId { get; set; } = "";

    /// <summary>The splits merged into this partial, ascending.</summary>
    public List<int> SplitIds { get; set; } = [];

    public long Records { get; set; }

    public BadRecordSummary BadRecords { get; set; } = new();

    public Utf8CountTable Counts { get; set; } = new(16);

    IReadOnlyList<int> IComputePartial.SplitIds => SplitIds;

    public int KeyCount => Counts.Count;
}

/// <summary>
/// Wire form of <see cref="WordCountPartial"/> (Orleans surrogate, see <see cref="WordCountPartialConverter"/>): job id,
/// split ids, records, bad records, the number of words and the words packed as (varint byte length, UTF-8 bytes, varint count)*.
/// </summary>
[GenerateSerializer, Immutable, Alias("ocx.WordCountPartial")]
public readonly struct WordCountPartialSurrogate
{
    [Id(0)] public string JobId { get; init; }

    [Id(1)] public List<int> SplitIds { get; init; }

    [Id(2)] public long Records { get; init; }

    [Id(3)] public BadRecordSummary BadRecords { get; init; }

    [Id(4)] public int Count { get; init; }

    [Id(5)] public byte[] Packed { get; init; }
}

/// <summary>Converts <see cref="WordCountPartial"/> to and from its packed wire form (one byte string for the whole table).</summary>
[RegisterConverter]
public sealed class WordCountPartialConverter : IConverter<WordCountPartial, WordCountPartialSurrogate>
{
    public WordCountPartial ConvertFromSurrogate(in WordCountPartialSurrogate surrogate)
    {
        var packed = surrogate.Packed ?? [];
        return new WordCountPartial
        {
            JobId = surrogate.JobId ?? "",
            SplitIds = surrogate.SplitIds ?? [],
            Records = surrogate.Records,
            BadRecords = surrogate.BadRecords ?? new(),
            Counts = Unpack(packed, (int)Math.Min((uint)surrogate.Count, (uint)packed.Length)),
        };
    }

    public WordCountPartialSurrogate ConvertToSurrogate(in WordCountPartial value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var packed = Pack(value.Counts, out var length);
        try
        {
            return new WordCountPartialSurrogate
            {
                JobId = value.JobId,
                SplitIds = value.SplitIds,
                Records = value.Records,
                BadRecords = value.BadRecords,
                Count = value.Counts.Count,
                Packed = packed.AsSpan(0, length).ToArray(),
            };
        }
        finally
        {
            LargeArrayPool<byte>.Shared.Return(packed);
        }
    }

    /// <summary>The packed words in a rented array (return it), <paramref name="length"/> bytes long.</summary>
    private static byte[] Pack(Utf8CountTable counts, out int length)
    {
        Span<byte> scratch = stackalloc byte[16];
        var packed = LargeArrayPool<byte>.Shared.Rent(Math.Max(256, counts.Count * 12));
        var at = 0;
        for (var i = 0; i < counts.SlotCount; i++)
        {
            if (!counts.TryGetEntry(i, scratch, out var key, out var count))
            {
                continue;
            }

            if (packed.Length - at < key.Length + 20)
            {
                var grown = LargeArrayPool<byte>.Shared.Rent(Math.Max(packed.Length * 2, at + key.Length + 20));
                packed.AsSpan(0, at).CopyTo(grown);
                LargeArrayPool<byte>.Shared.Return(packed);
                packed = grown;
            }

            at += VarInt.Write((ulong)key.Length, packed.AsSpan(at));
            key.CopyTo(packed.AsSpan(at));
            at += key.Length;
            at += VarInt.Write((ulong)count, packed.AsSpan(at));
        }

        length = at;
        return packed;
    }

    private static Utf8CountTable Unpack(ReadOnlySpan<byte> packed, int count)
    {
        var table = new Utf8CountTable(count);
        var at = 0;
        while (at < packed.Length)
        {
            var length = VarInt.Read(packed, ref at);
            if (length > (ulong)(packed.Length - at))
            {
                throw new SerializerException("Corrupt input: a word longer than the packed words left.");
            }

            var key = packed.Slice(at, (int)length);
            at += (int)length;
            table.Add(key, (long)VarInt.Read(packed, ref at));
        }

        return table;
    }
}
