using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The runner of the built-in <c>word-count</c> kind: the rule and result of <see cref="WordCountJob"/>, with words kept
/// as UTF-8 in a <see cref="Utf8CountTable"/> per split, per shard and per aggregator (<see cref="WordCountPartial"/>):
/// sharding and merging move table slots without decoding or rehashing a word. Shards are finished separately (in
/// parallel, where the aggregators live) into sorted packed runs and merged by the job (<see cref="PackedWords"/>):
/// no string is made per word in the silo; the result's reader decodes them once. User kinds, and a
/// <see cref="WordCountJob"/> registered as one, go through the generic runner and give the same results.
/// </summary>
internal sealed class WordCountRunner : IComputeJobRunner
{
    private readonly WordTokenizer _tokenizer;

    public WordCountRunner(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _ = new ComputeJobRunner<string, long, WordCountResult>(spec, new WordCountJob(spec)); // the same spec validation as every kind
        _tokenizer = new WordTokenizer(spec.WordCount ?? new WordCountOptions());
        Spec = spec;
    }

    public ComputeJobSpec Spec { get; }

    public bool JoinsShardResults => true;

    public IComputePartial CreateEmpty() => new WordCountPartial { JobId = Spec.JobId };

    public IComputePartial RunSplit(InputSplit split, Func<InputSplit, IRangeReader> open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(open);

        // Sized for the split's words up front (a distinct word per ~100 bytes of text at most, bounded): growing a
        // table of 100,000 words rehashes it five times.
        var expected = (int)Math.Clamp(split.Bytes / 100, 1024, 1 << 20);
        var counts = new Utf8CountTable(expected);
        var buffer = new byte[256];
        long records = 0;
        foreach (var range in split.Ranges)
        {
            using var reader = ShardResults.Reader(Spec, range, open(range));
            records += CountRange(reader, counts, ref buffer, cancellationToken);
        }

        return new WordCountPartial { JobId = Spec.JobId, SplitIds = [split.SplitId], Records = records, Counts = counts };
    }

    /// <summary>Counts the words of one single-file range into <paramref name="counts"/>; returns its records.</summary>
    private long CountRange(SplitRecordReader reader, Utf8CountTable counts, ref byte[] buffer, CancellationToken cancellationToken)
    {
        long records = 0;
        if (Spec.Input.Format == InputFormat.Text)
        {
            // Whole blocks of records at once: a word never spans a newline, so a block's words are its records' words.
            while (reader.TryReadBlock(out var block, out var count))
            {
                cancellationToken.ThrowIfCancellationRequested();
                records += count;
                _tokenizer.CountUtf8(block, ref buffer, counts);
            }
        }
        else
        {
            // CSV and JSON Lines: every record's whole text is tokenized; empty lines are not records.
            while (reader.TryRead(out var bytes, out _))
            {
                if (bytes.IsEmpty)
                {
                    continue;
                }

                if ((++records & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                _tokenizer.CountUtf8(bytes, ref buffer, counts);
            }
        }

        return records;
    }

    public IComputePartial Merge(IComputePartial target, IComputePartial source)
    {
        var into = Cast(target);
        var from = Cast(source);
        var (splits, records, bad) = ShardResults.MergeCounts(Spec, into, from);
        // Fold the smaller table into the larger (addition is commutative).
        var (large, small) = into.Counts.Count >= from.Counts.Count ? (into.Counts, from.Counts) : (from.Counts, into.Counts);
        large.AddAll(small);
        small.Release(); // merged away: neither partial uses it any more
        into.Counts = large;
        into.SplitIds = splits;
        into.Records = records;
        into.BadRecords = bad;
        return into;
    }

    public IReadOnlyList<IComputePartial> Shard(IComputePartial partial, int shardCount)
    {
        var source = Cast(partial);
        var tables = source.Counts.Shard(shardCount);
        var shards = new WordCountPartial[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            shards[i] = new WordCountPartial { JobId = source.JobId, SplitIds = [.. source.SplitIds], Counts = tables[i] };
        }

        shards[0].Records = source.Records;
        shards[0].BadRecords = source.BadRecords;
        return shards;
    }

    public void Release(IComputePartial partial)
    {
        if (partial is WordCountPartial { Counts: { } counts } words)
        {
            words.Counts = new Utf8CountTable(0);
            counts.Release();
        }
    }

    public IComputePartial JoinShards(IReadOnlyList<IComputePartial> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var joined = new WordCountPartial { JobId = Spec.JobId, Counts = new Utf8CountTable(shards.Sum(s => s.KeyCount)) };
        if (shards.Count == 0)
        {
            return joined;
        }

        joined.SplitIds.AddRange(Cast(shards[0]).SplitIds);
        foreach (var item in shards)
        {
            var shard = Cast(item);
            if (!shard.SplitIds.SequenceEqual(joined.SplitIds))
            {
                throw new InvalidOperationException(
                    $"Job '{Spec.JobId}': shards cover different splits ([{string.Join(", ", joined.SplitIds)}] and [{string.Join(", ", shard.SplitIds)}]); every shard must have merged every split.");
            }

            joined.Counts.AddAll(shard.Counts);
            joined.Records += shard.Records;
            joined.BadRecords = BadRecords.Merge(joined.BadRecords, shard.BadRecords, Spec.Rejection.MaxSamples);
        }

        return joined;
    }

    public int GetShard(object key, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return Utf8CountTable.ShardOf(System.Text.Encoding.UTF8.GetBytes((string)key), shardCount);
    }

    public void CheckRejection(IComputePartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (BadRecords.Violation(Spec.JobId, Spec.Rejection, partial.BadRecords, partial.Records) is { } message)
        {
            throw new BadRecordThresholdExceededException(message);
        }
    }

    public ComputeJobResult Finish(IComputePartial merged)
    {
        CheckRejection(merged);
        return FinishShard(merged);
    }

    public ComputeJobResult FinishShard(IComputePartial shard)
    {
        var partial = Cast(shard);
        return ShardResults.Of(Spec, partial, PackedWords.Finish(partial.Counts, Spec.TopK));
    }

    public ComputeJobResult JoinShardResults(IReadOnlyList<ComputeJobResult> shardResults) =>
        ShardResults.Join(Spec, shardResults, new PackedJoiner(Spec.TopK));

    /// <summary>Joins shard results in their packed form (<see cref="PackedWords.Join"/>).</summary>
    private sealed class PackedJoiner(TopKOptions? topK) : IShardResultJoiner<WordCountResult>
    {
        public WordCountResult JoinShardResults(IReadOnlyList<WordCountResult> shardResults) => PackedWords.Join(shardResults, topK);
    }

    private WordCountPartial Cast(IComputePartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        return partial as WordCountPartial
            ?? throw new ArgumentException($"Expected a {nameof(WordCountPartial)} for job kind '{Spec.Kind}', got {partial.GetType().Name}.", nameof(partial));
    }
}
