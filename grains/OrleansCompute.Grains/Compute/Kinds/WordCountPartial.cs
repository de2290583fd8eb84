using System.Buffers;
using System.Runtime.CompilerServices;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Serialization;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The partial of the built-in word count: word → count kept as UTF-8 keys in a <see cref="Utf8CountTable"/> from
/// the map through shards and merges, so no string is made per distinct word until a shard is finished. Crosses
/// silos and is persisted by the aggregators with its own codec (<see cref="WordCountPartialCodec"/>): the table
/// travels as one packed byte string (length, bytes, count per word), not as an object per entry.
/// </summary>
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

    // Like the generated codecs: the serializer runs this assembly's module initializers before it looks a codec up.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterCodec() => CodecRegistry.Register(new WordCountPartialCodec());
}

/// <summary>
/// Wire form of <see cref="WordCountPartial"/>: an object with 0 = job id, 1 = split ids, 2 = records, 3 = bad
/// records, 4 = the number of words, 5 = the words packed as (varint byte length, UTF-8 bytes, varint count)*.
/// </summary>
internal sealed class WordCountPartialCodec : IFieldCodec<WordCountPartial>
{
    public void WriteField(ref Writer writer, uint fieldId, WordCountPartial value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        writer.WriteStartObject(fieldId);
        writer.WriteString(0, value.JobId);
        Codec<List<int>>.Instance.WriteField(ref writer, 1, value.SplitIds);
        writer.WriteInt64(2, value.Records);
        Codec<BadRecordSummary>.Instance.WriteField(ref writer, 3, value.BadRecords);
        writer.WriteUInt32(4, (uint)value.Counts.Count);
        var packed = Pack(value.Counts, out var length);
        try
        {
            writer.WriteBytes(5, packed.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packed);
        }

        writer.WriteEndObject();
    }

    public WordCountPartial ReadValue(ref Reader reader, Field field)
    {
        if (field.IsNull)
        {
            return null!;
        }

        reader.EnterObject(field);
        var result = new WordCountPartial();
        var count = 0;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 0:
                    result.JobId = reader.ReadString(f) ?? "";
                    break;
                case 1:
                    result.SplitIds = Codec<List<int>>.Instance.ReadValue(ref reader, f) ?? [];
                    break;
                case 2:
                    result.Records = reader.ReadInt64(f);
                    break;
                case 3:
                    result.BadRecords = Codec<BadRecordSummary>.Instance.ReadValue(ref reader, f) ?? new();
                    break;
                case 4:
                    count = (int)Math.Min(reader.ReadUInt32(f), (uint)reader.Remaining);
                    break;
                case 5:
                    Reader.Expect(f, WireType.LengthPrefixed);
                    result.Counts = Unpack(reader.ReadLengthPrefixed(), count);
                    break;
                default:
                    reader.SkipField(f);
                    break;
            }
        }

        return result;
    }

    /// <summary>The packed words in a rented array (return it), <paramref name="length"/> bytes long.</summary>
    private static byte[] Pack(Utf8CountTable counts, out int length)
    {
        Span<byte> scratch = stackalloc byte[16];
        var packed = ArrayPool<byte>.Shared.Rent(Math.Max(256, counts.Count * 12));
        var at = 0;
        for (var i = 0; i < counts.SlotCount; i++)
        {
            if (!counts.TryGetEntry(i, scratch, out var key, out var count))
            {
                continue;
            }

            if (packed.Length - at < key.Length + 20)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(packed.Length * 2, at + key.Length + 20));
                packed.AsSpan(0, at).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(packed);
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
