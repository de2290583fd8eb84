using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// <c>word-count</c>: counts words (rule on <see cref="WordCountOptions"/>) in every record's bytes; any
/// format (for CSV and JSON Lines the whole record text is tokenized). Partial: word → count.
/// With <see cref="ComputeJobSpec.TopK"/> (order by <c>count</c>) only the top K words are returned.
/// </summary>
public sealed class WordCountJob : ComputeJob<string, long, WordCountResult>, ISplitMapper<string, long>, IShardResultJoiner<WordCountResult>
{
    [ThreadStatic]
    private static byte[]? s_buffer;

    private readonly WordTokenizer _tokenizer;
    private readonly TopKOptions? _topK;
    private readonly InputFormat _format;

    public WordCountJob(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _tokenizer = new WordTokenizer(spec.WordCount ?? new WordCountOptions());
        _topK = spec.TopK;
        _format = spec.Input.Format;
        if (_topK is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(_topK.K, 1, "TopK.K");
            if (!string.Equals(_topK.OrderBy, "count", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Word count can order top-k only by 'count', not '{_topK.OrderBy}'.", nameof(spec));
            }
        }
    }

    public override IEqualityComparer<string> KeyComparer => StringComparer.Ordinal;

    public override void Map(in ComputeRecord record, Combiner<string, long> output)
    {
        var buffer = s_buffer ??= new byte[256];
        _tokenizer.CountUtf8(record.Bytes, ref buffer, output);
        s_buffer = buffer;
    }

    /// <summary>
    /// Text inputs: tokenizes whole blocks of records at once (a word never spans a newline, so the words of a
    /// block are the words of its records) and counts records by their newlines.
    /// </summary>
    bool ISplitMapper<string, long>.TryMapSplit(InputSplit split, SplitRecordReader reader, ComputePartial<string, long> partial, Combiner<string, long> combiner, int maxSamples, CancellationToken cancellationToken)
    {
        if (_format != InputFormat.Text)
        {
            return false;
        }

        var buffer = new byte[256];
        long records = 0;
        while (reader.TryReadBlock(out var block, out var count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            records += count;
            _tokenizer.CountUtf8(block, ref buffer, combiner);
        }

        partial.Records = records;
        return true;
    }

    /// <summary>
    /// The result order (count, then word ordinal) without a delegate per comparison: items carry the count and the
    /// word's first four UTF-16 code units packed into one integer (ordinal order of the prefix), so most comparisons
    /// are two integer compares; only words sharing count and prefix compare their strings. Sorted in place.
    /// </summary>
    private static void SortByCountThenWord(WordFrequency[] words, bool descending)
    {
        var items = new SortItem[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            items[i] = SortItem.Of(words[i], descending, i);
        }

        items.AsSpan().Sort(new SortItemComparer(words));
        var sorted = new WordFrequency[words.Length];
        for (var i = 0; i < items.Length; i++)
        {
            sorted[i] = words[items[i].Index];
        }

        sorted.CopyTo(words, 0);
    }

    public override long Combine(long accumulated, long value) => accumulated + value;

    public override WordCountResult Finish(ComputePartial<string, long> merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var words = new WordFrequency[merged.Entries.Count];
        long total = 0;
        var n = 0;
        foreach (var (word, count) in merged.Entries)
        {
            total += count;
            words[n++] = new WordFrequency { Word = word, Count = count };
        }

        return Finish(words, total);
    }

    /// <summary>The result over every distinct word (an array this call may reorder) and the total of their counts.</summary>
    internal WordCountResult Finish(WordFrequency[] words, long total)
    {
        var take = _topK is null ? words.Length : Math.Min(_topK.K, words.Length);
        var descending = _topK?.Descending ?? true;
        List<WordFrequency> selected;
        if (take * 4L >= words.Length)
        {
            SortByCountThenWord(words, descending);
            selected = [.. words.AsSpan(0, take)];
        }
        else
        {
            var comparer = Comparer<WordFrequency>.Create((x, y) =>
            {
                var byCount = descending ? y.Count.CompareTo(x.Count) : x.Count.CompareTo(y.Count);
                return byCount != 0 ? byCount : string.CompareOrdinal(x.Word, y.Word);
            });
            selected = TopK.Select(words, take, comparer);
        }

        return new WordCountResult
        {
            Words = selected,
            TotalWords = total,
            DistinctWords = words.Length,
        };
    }

    /// <summary>
    /// Merges the shards' sorted word lists (disjoint words, each in the result order) into one in that order and
    /// cuts it to K: the top K of the union are among the shards' top Ks. Totals add up.
    /// </summary>
    public WordCountResult JoinShardResults(IReadOnlyList<WordCountResult> shardResults)
    {
        ArgumentNullException.ThrowIfNull(shardResults);
        var descending = _topK?.Descending ?? true;
        long total = 0, distinct = 0, available = 0;
        var runs = new SortItem[shardResults.Count][];
        for (var s = 0; s < runs.Length; s++)
        {
            var shard = shardResults[s];
            total += shard.TotalWords;
            distinct += shard.DistinctWords;
            available += shard.Words.Count;
            var run = runs[s] = new SortItem[shard.Words.Count];
            for (var i = 0; i < run.Length; i++)
            {
                run[i] = SortItem.Of(shard.Words[i], descending, i);
            }
        }

        // A k-way merge of the shards' sorted runs on their sort keys (count, then the word's first eight characters);
        // strings are compared only where both are equal.
        var take = (int)Math.Min(available, _topK?.K ?? long.MaxValue);
        var words = new List<WordFrequency>(take);
        var heads = new int[runs.Length];
        while (words.Count < take)
        {
            var best = -1;
            for (var s = 0; s < runs.Length; s++)
            {
                if (heads[s] < runs[s].Length && (best < 0 || SortItem.Compare(
                    runs[s][heads[s]], shardResults[s].Words, runs[best][heads[best]], shardResults[best].Words) < 0))
                {
                    best = s;
                }
            }

            words.Add(shardResults[best].Words[heads[best]++]);
        }

        return new WordCountResult { Words = words, TotalWords = total, DistinctWords = distinct };
    }

    /// <summary>
    /// A word's place in the result order as integers: its count (negated for descending) and its first eight UTF-16
    /// code units packed into two integers in ordinal order, with its index to reach the word when those tie.
    /// </summary>
    private readonly record struct SortItem(long Count, ulong Prefix, ulong Prefix2, int Index)
    {
        public static SortItem Of(WordFrequency word, bool descending, int index)
        {
            var text = word.Word;
            ulong prefix = 0, prefix2 = 0;
            for (var c = 0; c < 4; c++)
            {
                prefix = (prefix << 16) | (c < text.Length ? text[c] : 0u);
                prefix2 = (prefix2 << 16) | (c + 4 < text.Length ? text[c + 4] : 0u);
            }

            return new SortItem(descending ? -word.Count : word.Count, prefix, prefix2, index); // counts are positive
        }

        public static int Compare(in SortItem x, IReadOnlyList<WordFrequency> xWords, in SortItem y, IReadOnlyList<WordFrequency> yWords)
        {
            var c = x.Count.CompareTo(y.Count);
            if (c == 0)
            {
                c = x.Prefix.CompareTo(y.Prefix);
            }

            if (c == 0)
            {
                c = x.Prefix2.CompareTo(y.Prefix2);
            }

            return c != 0 ? c : string.CompareOrdinal(xWords[x.Index].Word, yWords[y.Index].Word);
        }
    }

    private readonly struct SortItemComparer(WordFrequency[] words) : IComparer<SortItem>
    {
        public int Compare(SortItem x, SortItem y) => SortItem.Compare(x, words, y, words);
    }
}
