using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Orleans;
using Orleans.Serialization;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Wire form of <see cref="PartitionLogRecord"/>: the whole record packed in one byte string (see <see cref="PartitionLogRecordConverter"/>).</summary>
[GenerateSerializer, Immutable, Alias("ocx.PartitionLogRecord")]
public readonly struct PartitionLogRecordSurrogate
{
    [Id(0)] public byte[]? Packed { get; init; }

    /// <summary>Layout of <see cref="Packed"/>: 0 (absent in records written before it existed) or 1 (a fingerprint per batch).</summary>
    [Id(1)] public byte Format { get; init; }
}

/// <summary>
/// Packs a partition's log record, written once per group commit on the ingest hot path, into one byte string:
/// (batch count, then producer, sequence and content fingerprint per batch), (shard count, then per shard: key count, then per key: key,
/// events, metric count, then per metric: name, count, sum, min, max). Strings are a varint UTF-8 length and the bytes,
/// integers varints (sequences zigzag), doubles and fingerprints 8 bytes little-endian. Orleans's field-by-field form
/// tracks every object (a dictionary and a stats object per key and metric) and cost 3–5× as much CPU per event.
/// <see cref="PartitionLogRecordSurrogate.Format"/> 0 is the layout before fingerprints (no fingerprint per batch): logs
/// written by earlier versions replay with fingerprint 0 (unknown).
/// </summary>
[RegisterConverter]
public sealed class PartitionLogRecordConverter : IConverter<PartitionLogRecord, PartitionLogRecordSurrogate>
{
    public PartitionLogRecordSurrogate ConvertToSurrogate(in PartitionLogRecord value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var writer = new PackedWriter(4096);
        try
        {
            writer.VarInt((ulong)value.Batches.Count);
            foreach (var batch in value.Batches)
            {
                writer.String(batch.ProducerId);
                writer.VarInt(ZigZag(batch.Sequence));
                writer.UInt64(batch.Fingerprint);
            }

            writer.VarInt((ulong)value.Shards.Count);
            foreach (var shard in value.Shards)
            {
                writer.VarInt((ulong)shard.Count);
                foreach (var (key, totals) in shard)
                {
                    writer.String(key);
                    writer.VarInt(ZigZag(totals.Events));
                    writer.VarInt((ulong)totals.Values.Count);
                    foreach (var (name, stats) in totals.Values)
                    {
                        writer.String(name);
                        writer.VarInt(ZigZag(stats.Count));
                        writer.Double(stats.Sum);
                        writer.Double(stats.Min);
                        writer.Double(stats.Max);
                    }
                }
            }

            return new PartitionLogRecordSurrogate { Packed = writer.ToArray(), Format = CurrentFormat };
        }
        finally
        {
            writer.Dispose();
        }
    }

    public PartitionLogRecord ConvertFromSurrogate(in PartitionLogRecordSurrogate surrogate)
    {
        if (surrogate.Format > CurrentFormat)
        {
            throw new SerializerException($"Partition log record format {surrogate.Format} is newer than this version reads ({CurrentFormat}).");
        }

        var withFingerprints = surrogate.Format >= 1;
        var packed = (surrogate.Packed ?? []).AsSpan();
        var at = 0;
        var batches = Count(packed, ref at);
        var record = new PartitionLogRecord { Batches = new List<ProducerSequence>(batches) };
        for (var i = 0; i < batches; i++)
        {
            var producer = ReadString(packed, ref at);
            var sequence = UnZigZag(VarInt.Read(packed, ref at));
            record.Batches.Add(new ProducerSequence(producer, sequence, withFingerprints ? ReadUInt64(packed, ref at) : 0));
        }

        var shards = Count(packed, ref at);
        record.Shards = new List<Dictionary<string, KeyTotals>>(shards);
        for (var s = 0; s < shards; s++)
        {
            var keys = Count(packed, ref at);
            var shard = new Dictionary<string, KeyTotals>(keys, StringComparer.Ordinal);
            for (var k = 0; k < keys; k++)
            {
                var key = ReadString(packed, ref at);
                var totals = new KeyTotals { Events = UnZigZag(VarInt.Read(packed, ref at)) };
                var metrics = Count(packed, ref at);
                totals.Values = new Dictionary<string, MetricStats>(metrics);
                for (var m = 0; m < metrics; m++)
                {
                    var name = ReadString(packed, ref at);
                    var count = UnZigZag(VarInt.Read(packed, ref at));
                    totals.Values[name] = new MetricStats { Count = count, Sum = ReadDouble(packed, ref at), Min = ReadDouble(packed, ref at), Max = ReadDouble(packed, ref at) };
                }

                shard[key] = totals;
            }

            record.Shards.Add(shard);
        }

        if (at != packed.Length)
        {
            throw new SerializerException("Corrupt input: bytes left over after a partition log record.");
        }

        return record;
    }

    private const byte CurrentFormat = 1;

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>A count that cannot exceed the bytes left (each counted item takes at least one byte).</summary>
    private static int Count(ReadOnlySpan<byte> packed, ref int at)
    {
        var count = VarInt.Read(packed, ref at);
        if (count > (ulong)(packed.Length - at))
        {
            throw new SerializerException("Corrupt input: a count larger than the packed bytes left.");
        }

        return (int)count;
    }

    private static string ReadString(ReadOnlySpan<byte> packed, ref int at)
    {
        var length = Count(packed, ref at);
        var text = Encoding.UTF8.GetString(packed.Slice(at, length));
        at += length;
        return text;
    }

    private static double ReadDouble(ReadOnlySpan<byte> packed, ref int at)
    {
        if (packed.Length - at < 8)
        {
            throw new SerializerException("Corrupt input: packed data ends inside a number.");
        }

        var value = BinaryPrimitives.ReadDoubleLittleEndian(packed.Slice(at, 8));
        at += 8;
        return value;
    }

    private static ulong ReadUInt64(ReadOnlySpan<byte> packed, ref int at)
    {
        if (packed.Length - at < 8)
        {
            throw new SerializerException("Corrupt input: packed data ends inside a fingerprint.");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(packed.Slice(at, 8));
        at += 8;
        return value;
    }

    /// <summary>Appends to a buffer rented from the array pool (returned on dispose).</summary>
    private struct PackedWriter(int capacity) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        private int _at;

        public void VarInt(ulong value)
        {
            Ensure(10);
            _at += Compute.VarInt.Write(value, _buffer.AsSpan(_at));
        }

        public void String(string value)
        {
            var most = Encoding.UTF8.GetMaxByteCount(value.Length);
            Ensure(most + 10);
            if (value.Length <= 42)
            {
                // At most 126 bytes: the length is one varint byte, so the text is encoded straight after it.
                var length = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_at + 1));
                _buffer[_at] = (byte)length;
                _at += 1 + length;
            }
            else
            {
                _at += Compute.VarInt.Write((ulong)Encoding.UTF8.GetByteCount(value), _buffer.AsSpan(_at));
                _at += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_at));
            }
        }

        public void Double(double value)
        {
            Ensure(8);
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_at, 8), value);
            _at += 8;
        }

        public void UInt64(ulong value)
        {
            Ensure(8);
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_at, 8), value);
            _at += 8;
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _at).ToArray();

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        private void Ensure(int bytes)
        {
            if (_buffer.Length - _at >= bytes)
            {
                return;
            }

            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _at + bytes));
            _buffer.AsSpan(0, _at).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
    }
}
