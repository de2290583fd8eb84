using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// <c>word-count</c>: counts words (rule on <see cref="WordCountOptions"/>) in every record's bytes; any
/// format (for CSV and JSON Lines the whole record text is tokenized). Partial: word → count.
/// With <see cref="ComputeJobSpec.TopK"/> (order by <c>count</c>) only the top K words are returned.
/// </summary>
public sealed class WordCountJob : ComputeJob<string, long, WordCountResult>, ISplitMapper<string, long>
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
    bool ISplitMapper<string, long>.TryMapSplit(InputSplit split, ComputePartial<string, long> partial, Combiner<string, long> combiner, int maxSamples, CancellationToken cancellationToken)
    {
        if (_format != InputFormat.Text)
        {
            return false;
        }

        var buffer = new byte[256];
        long records = 0;
        using var reader = new SplitRecordReader(split.Path, split.Start, split.End, csvQuotes: false);
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
    /// The result order (count, then word ordinal) in two passes that avoid a comparer delegate per comparison:
    /// a primitive sort by count, then each run of equal counts (most words share a small count) by word.
    /// </summary>
    private static void SortByCountThenWord(WordFrequency[] words, bool descending)
    {
        var counts = new long[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            counts[i] = descending ? -words[i].Count : words[i].Count; // counts are positive: negation is exact
        }

        Array.Sort(counts, words);
        var names = new string[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            names[i] = words[i].Word;
        }

        for (var start = 0; start < words.Length;)
        {
            var end = start + 1;
            while (end < words.Length && counts[end] == counts[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(names, words, start, end - start, StringComparer.Ordinal);
            }

            start = end;
        }
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
}
