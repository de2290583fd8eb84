using Orleans.Serialization;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// A partition's log record (the ingest hot path's one write per group commit) travels packed in one byte string: every
/// batch, shard, key (any Unicode), event count and statistic (including an empty metric's infinite min/max) survives
/// exactly, and a corrupt record is refused rather than misread (a partition replays these on activation).
/// </summary>
public sealed class PartitionLogRecordCodecTests
{
    [Fact]
    public void Every_batch_key_and_statistic_survives_the_packed_form()
    {
        var record = new PartitionLogRecord
        {
            Batches = [new ProducerSequence("web-1", 42, 0x0123456789ABCDEF), new ProducerSequence("批次", long.MaxValue, ulong.MaxValue), new ProducerSequence(new string('p', 128), -7, 1)],
            Shards =
            [
                new(StringComparer.Ordinal)
                {
                    ["page:/home"] = Totals(3, ("latency", 3, 0.5, 0.1, 0.3), ("bytes", 2, 1e308, -5, 1e308)),
                    ["naïve 𝔘𝔫𝔦"] = Totals(1, ("x", 1, double.NaN, double.NaN, double.NaN)),
                },
                new(StringComparer.Ordinal),
                new(StringComparer.Ordinal) { [""] = Totals(long.MaxValue), [new string('k', 300)] = Totals(0, ("empty", 0, 0, double.PositiveInfinity, double.NegativeInfinity)) },
                new(StringComparer.Ordinal),
            ],
        };

        var copy = Wire.Deserialize<PartitionLogRecord>(Wire.Serialize(record));

        Assert.Equal(record.Batches, copy.Batches);
        Assert.Equal(record.Shards.Count, copy.Shards.Count);
        for (var s = 0; s < record.Shards.Count; s++)
        {
            Assert.Equal(Flatten(record.Shards[s]), Flatten(copy.Shards[s]));
        }
    }

    [Fact]
    public void A_folded_batch_packs_into_about_80_bytes_a_key()
    {
        // 1,000 events over 200 keys with two metrics each, as one group commit of the ingest benchmark folds them.
        var shard = new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
        for (var k = 0; k < 200; k++)
        {
            shard[$"key-{k}"] = Totals(5, ("amount", 5, 50, 1, 20), ("latency", 5, 0.25, 0.01, 0.1));
        }

        var bytes = Wire.Serialize(new PartitionLogRecord { Batches = [new ProducerSequence("p", 1)], Shards = [shard] });

        // key (6) + events (1) + 2 × (name ≤ 8 + count 1 + 3 doubles 24) + counts: about 80 bytes a key.
        Assert.InRange(bytes.Length, 200 * 60, 200 * 90);
    }

    [Fact]
    public void A_record_written_before_fingerprints_replays_with_fingerprint_unknown()
    {
        // Format 0 (no Format field written): one batch ("p", sequence 5 as zigzag 10) and no shards, as older versions packed it.
        var legacy = new PartitionLogRecordSurrogate { Packed = [1, 1, (byte)'p', 10, 0] };

        var record = new PartitionLogRecordConverter().ConvertFromSurrogate(Wire.Deserialize<PartitionLogRecordSurrogate>(Wire.Serialize(legacy)));

        Assert.Equal(new ProducerSequence("p", 5, 0), Assert.Single(record.Batches));
        Assert.Empty(record.Shards);
    }

    [Theory]
    [InlineData(new byte[] { 1 })]                                  // a batch promised, none there
    [InlineData(new byte[] { 0, 1, 1, 1, (byte)'k', 2, 1 })]        // a key whose statistics are cut short
    [InlineData(new byte[] { 0, 0, 0 })]                            // bytes left over
    public void A_corrupt_record_is_refused_not_misread(byte[] packed)
    {
        var bytes = Wire.Serialize(new PartitionLogRecordSurrogate { Packed = packed });

        Assert.ThrowsAny<SerializerException>(() => new PartitionLogRecordConverter().ConvertFromSurrogate(Wire.Deserialize<PartitionLogRecordSurrogate>(bytes)));
    }

    private static KeyTotals Totals(long events, params (string Name, long Count, double Sum, double Min, double Max)[] metrics)
    {
        var totals = new KeyTotals { Events = events };
        foreach (var (name, count, sum, min, max) in metrics)
        {
            totals.Values[name] = new MetricStats { Count = count, Sum = sum, Min = min, Max = max };
        }

        return totals;
    }

    private static List<string> Flatten(Dictionary<string, KeyTotals> shard) =>
        [.. shard.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Values.OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{p.Key}|{p.Value.Events}|{v.Key}|{v.Value.Count}|{BitConverter.DoubleToInt64Bits(v.Value.Sum)}|{BitConverter.DoubleToInt64Bits(v.Value.Min)}|{BitConverter.DoubleToInt64Bits(v.Value.Max)}")
            .DefaultIfEmpty($"{p.Key}|{p.Value.Events}"))];
}
