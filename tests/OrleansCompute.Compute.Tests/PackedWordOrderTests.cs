using System.Text;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Compute.Tests.Support;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Word count sorts and joins its results as UTF-8 bytes; the order must be exactly the documented one — count, then
/// the word in ordinal UTF-16 order — which differs from byte order between supplementary characters and
/// U+E000–U+FFFF. Words here mix those with ASCII, Latin, CJK and long shared prefixes; counts tie a lot.
/// </summary>
public sealed class PackedWordOrderTests
{
    private static readonly string[] s_pieces = ["a", "b", "z", "é", "ß", "中", "\uE000", "\uFB01", "\uFFEE", "\U0001D518", "\U00010000", "\U0010FFFD", "prefix", "0", "9"];

    [Theory]
    [InlineData(1, null, true)]
    [InlineData(2, 7, true)]
    [InlineData(3, 25, false)]
    [InlineData(4, null, false)]
    public void Finished_and_joined_shards_list_words_by_count_then_ordinal_utf16_order(int seed, int? k, bool descending)
    {
        var rng = new Random(seed);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (counts.Count < 2000)
        {
            var word = string.Concat(Enumerable.Range(0, rng.Next(1, 6)).Select(_ => s_pieces[rng.Next(s_pieces.Length)]));
            counts[word] = rng.Next(1, 4); // few distinct counts: ties everywhere
        }

        var spec = new ComputeJobSpec { JobId = "order", Kind = "word-count", TopK = k is { } kk ? new TopKOptions { K = kk, OrderBy = "count", Descending = descending } : null };
        if (k is null && !descending)
        {
            spec.TopK = new TopKOptions { K = int.MaxValue, OrderBy = "count", Descending = false };
        }

        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var table = new Utf8CountTable();
        foreach (var (word, count) in counts)
        {
            table.Add(Encoding.UTF8.GetBytes(word), count);
        }

        var whole = new WordCountPartial { JobId = "order", SplitIds = [0], Counts = table };
        var shards = runner.Shard(whole, 3);
        var joined = runner.JoinShardResults([.. shards.Select(runner.FinishShard)]);

        var expected = counts
            .Select(p => (Word: p.Key, Count: p.Value))
            .Order(Comparer<(string Word, long Count)>.Create((x, y) =>
                x.Count != y.Count ? (descending ? y.Count.CompareTo(x.Count) : x.Count.CompareTo(y.Count)) : string.CompareOrdinal(x.Word, y.Word)))
            .Take(spec.TopK is { } top ? (int)Math.Min(top.K, counts.Count) : counts.Count)
            .ToList();
        var result = (WordCountResult)joined.Value!;
        Assert.True(result.TryGetPacked(out _, out _), "a joined result stays packed until read");

        // The packed result crosses the serializer as it is and decodes to the same list on both sides.
        var copy = (WordCountResult)Wire.Deserialize<ComputeJobResult>(Wire.Serialize(joined)).Value!;
        Assert.Equal(expected, copy.Words.Select(w => (w.Word, w.Count)));
        Assert.Equal(expected, result.Words.Select(w => (w.Word, w.Count)));
        Assert.False(result.TryGetPacked(out _, out _));
        Assert.Equal(counts.Values.Sum(), result.TotalWords);
        Assert.Equal(counts.Count, result.DistinctWords);
    }
}
