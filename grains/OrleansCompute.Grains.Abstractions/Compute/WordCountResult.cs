using System.Buffers;
using System.Text;
using Orleans;
using Orleans.Serialization;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// Result of word count: words by count descending, ties by word ascending (ordinal); cut to K with top-k.
/// Serialized through <see cref="WordCountResultConverter"/>: the words travel packed in one byte string (a GCIDE result has
/// 221,276 of them), not as an object each. A result made from that packed form (<see cref="FromPacked"/>: what
/// the engine produces and what the codec reads) keeps it until <see cref="Words"/> is first read, which decodes
/// the list once: a result that is only passed on (silo to client) never makes a string per word.
/// </summary>
[Immutable]
public sealed class WordCountResult
{
    private readonly Lock _gate = new();
    private List<WordFrequency>? _words = [];
    private byte[]? _packed;
    private int _packedLength;
    private int _packedCount;

    /// <summary>The words in result order (decoded from the packed form on first read; setting it replaces that form).</summary>
    public List<WordFrequency> Words
    {
        get
        {
            if (_words is { } words)
            {
                return words;
            }

            lock (_gate)
            {
                if (_words is null)
                {
                    _words = WordCountResultConverter.Unpack(_packed.AsSpan(0, _packedLength), _packedCount);
                    _packed = null;
                }

                return _words;
            }
        }
        set
        {
            lock (_gate)
            {
                _words = value ?? [];
                _packed = null;
            }
        }
    }

    /// <summary>All words counted (before any top-k cut).</summary>
    public long TotalWords { get; set; }

    /// <summary>Distinct words (before any top-k cut).</summary>
    public long DistinctWords { get; set; }

    /// <summary>
    /// A result over <paramref name="count"/> words packed, in result order, as (varint UTF-8 byte length, UTF-8 bytes,
    /// varint count)* in the first <paramref name="length"/> bytes of <paramref name="packed"/> (kept, not copied).
    /// </summary>
    public static WordCountResult FromPacked(byte[] packed, int length, int count, long totalWords, long distinctWords)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)packed.Length, nameof(length));
        return new WordCountResult { _words = null, _packed = packed, _packedLength = length, _packedCount = count, TotalWords = totalWords, DistinctWords = distinctWords };
    }

    /// <summary>The packed form, while <see cref="Words"/> has not been read or set (see <see cref="FromPacked"/>).</summary>
    public bool TryGetPacked(out ReadOnlyMemory<byte> packed, out int count)
    {
        lock (_gate)
        {
            if (_words is null && _packed is not null)
            {
                packed = _packed.AsMemory(0, _packedLength);
                count = _packedCount;
                return true;
            }
        }

        packed = default;
        count = 0;
        return false;
    }
}

/// <summary>
/// Wire form of <see cref="WordCountResult"/> (Orleans surrogate, see <see cref="WordCountResultConverter"/>): the totals,
/// the number of words and the words packed as (varint UTF-8 byte length, UTF-8 bytes, varint count)* in result order.
/// </summary>
[GenerateSerializer, Immutable, Alias("ocx.WordCountResult")]
public readonly struct WordCountResultSurrogate
{
    [Id(0)] public long TotalWords { get; init; }

    [Id(1)] public long DistinctWords { get; init; }

    [Id(2)] public int Count { get; init; }

    [Id(3)] public byte[]? Packed { get; init; }
}

/// <summary>
/// Converts <see cref="WordCountResult"/> to and from its packed wire form: a result read off the wire keeps the
/// packed bytes (no string per word) until <see cref="WordCountResult.Words"/> is read.
/// </summary>
[RegisterConverter]
public sealed class WordCountResultConverter : IConverter<WordCountResult, WordCountResultSurrogate>
{
    public WordCountResult ConvertFromSurrogate(in WordCountResultSurrogate surrogate)
    {
        var packed = surrogate.Packed ?? [];
        Validate(packed);
        var count = (int)Math.Min((uint)surrogate.Count, (uint)packed.Length);
        return WordCountResult.FromPacked(packed, packed.Length, count, surrogate.TotalWords, surrogate.DistinctWords);
    }

    public WordCountResultSurrogate ConvertToSurrogate(in WordCountResult value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.TryGetPacked(out var ready, out var readyCount))
        {
            return new WordCountResultSurrogate { TotalWords = value.TotalWords, DistinctWords = value.DistinctWords, Count = readyCount, Packed = ready.ToArray() };
        }

        var words = value.Words;
        var packed = ArrayPool<byte>.Shared.Rent(Math.Max(256, words.Count * 12));
        var at = 0;
        try
        {
            foreach (var word in words)
            {
                var text = word.Word ?? "";
                var most = (text.Length * 3) + 20; // UTF-8 bytes of the word at most, two varints
                if (packed.Length - at < most)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(Math.Max(packed.Length * 2, at + most));
                    packed.AsSpan(0, at).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(packed);
                    packed = grown;
                }

                int length;
                if (text.Length <= 42)
                {
                    // At most 126 bytes: the length is one varint byte, so the word is encoded straight after it.
                    length = Encoding.UTF8.GetBytes(text, packed.AsSpan(at + 1));
                    packed[at] = (byte)length;
                    at += 1 + length;
                }
                else
                {
                    length = Encoding.UTF8.GetByteCount(text);
                    at += VarInt.Write((ulong)length, packed.AsSpan(at));
                    at += Encoding.UTF8.GetBytes(text, packed.AsSpan(at));
                }

                at += VarInt.Write((ulong)word.Count, packed.AsSpan(at));
            }

            return new WordCountResultSurrogate { TotalWords = value.TotalWords, DistinctWords = value.DistinctWords, Count = words.Count, Packed = packed.AsSpan(0, at).ToArray() };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packed);
        }
    }

    /// <summary>Checks the packed words' framing (lengths and counts inside the bytes) without making strings.</summary>
    private static void Validate(ReadOnlySpan<byte> packed)
    {
        var at = 0;
        while (at < packed.Length)
        {
            var length = VarInt.Read(packed, ref at);
            if (length > (ulong)(packed.Length - at))
            {
                throw new SerializerException("Corrupt input: a word longer than the packed words left.");
            }

            at += (int)length;
            VarInt.Read(packed, ref at);
        }
    }

    internal static List<WordFrequency> Unpack(ReadOnlySpan<byte> packed, int count)
    {
        var words = new List<WordFrequency>(count);
        var at = 0;
        while (at < packed.Length)
        {
            var length = VarInt.Read(packed, ref at);
            if (length > (ulong)(packed.Length - at))
            {
                throw new SerializerException("Corrupt input: a word longer than the packed words left.");
            }

            var word = Encoding.UTF8.GetString(packed.Slice(at, (int)length));
            at += (int)length;
            words.Add(new WordFrequency { Word = word, Count = (long)VarInt.Read(packed, ref at) });
        }

        return words;
    }
}

/// <summary>Base-128 varints (LEB128) inside packed byte strings.</summary>
public static class VarInt
{
    /// <summary>Bytes <see cref="Write"/> takes for <paramref name="value"/> (1 to 10).</summary>
    public static int Length(ulong value) => value == 0 ? 1 : ((63 - System.Numerics.BitOperations.LeadingZeroCount(value)) / 7) + 1;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="output"/>; returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> output)
    {
        var n = 0;
        while (value >= 0x80)
        {
            output[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[n++] = (byte)value;
        return n;
    }

    /// <summary>Reads a varint at <paramref name="at"/> and moves past it; throws <see cref="SerializerException"/> on a truncated or overlong one.</summary>
    public static ulong Read(ReadOnlySpan<byte> input, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= input.Length)
            {
                throw new SerializerException("Corrupt input: packed data ends inside a number.");
            }

            var b = input[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new SerializerException("Corrupt input: a number in packed data is longer than 10 bytes.");
    }
}
