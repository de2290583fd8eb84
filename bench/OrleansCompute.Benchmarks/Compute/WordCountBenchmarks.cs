using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Kinds;

namespace OrleansCompute.Benchmarks.Compute;

/// <summary>
/// Word count over GCIDE (40 MB; lower-cased, apostrophes joined — the engine's rule): the engine on one
/// thread over all splits (and on two), a hand-written single-threaded C# baseline (the COST anchor), and
/// PLINQ. Setup checks that all of them give the same counts.
/// Run: dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --filter '*WordCount*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class WordCountBenchmarks
{
    private string _path = null!;
    private ComputeJobSpec _spec = null!;

    [GlobalSetup]
    public void Setup()
    {
        _path = BenchData.Require("gcide.txt");
        _spec = new ComputeJobSpec { JobId = "bench", Kind = "word-count", Input = new InputSpec { Path = "gcide.txt", TargetSplitBytes = 8 << 20 } };
        var engine = ((WordCountResult)BenchData.RunEngine(_spec).Value!).Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal);
        var baseline = Baseline();
        var plinq = PlinqCounts();
        if (engine.Count != baseline.Count || engine.Count != plinq.Count
            || engine.Any(e => baseline.GetValueOrDefault(e.Key) != e.Value || plinq.GetValueOrDefault(e.Key) != e.Value))
        {
            throw new InvalidOperationException("Engine, baseline and PLINQ disagree on word counts.");
        }

        Console.WriteLine($"// gcide: {new FileInfo(_path).Length:N0} bytes, {engine.Count:N0} distinct words, {engine.Values.Sum():N0} words");
    }

    [Benchmark]
    public int Engine() => ((WordCountResult)BenchData.RunEngine(_spec).Value!).Words.Count;

    [Benchmark]
    public int EngineTwoThreads() => ((WordCountResult)BenchData.RunEngine(_spec, threads: 2).Value!).Words.Count;

    [Benchmark(Baseline = true)]
    public int HandWritten() => Baseline().Count;

    [Benchmark]
    public int Plinq() => PlinqCounts().Count;

    private Dictionary<string, long> PlinqCounts() => Plinq(_path);

    private Dictionary<string, long> Baseline() => Baseline(_path);

    /// <summary>
    /// The COST baseline: decode the whole file once, walk its characters, fold case into a buffer and count
    /// through a span-keyed dictionary lookup. Same rule as the engine (letters, marks, decimal digits; inner apostrophes).
    /// </summary>
    internal static Dictionary<string, long> Baseline(string path)
    {
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        var word = new char[1024];
        var i = 0;
        while (i < text.Length)
        {
            var size = WordCharLength(text, i);
            if (size == 0)
            {
                i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                continue;
            }

            var n = 0;
            while (i < text.Length)
            {
                if (n + 4 > word.Length)
                {
                    Array.Resize(ref word, word.Length * 2);
                }

                size = WordCharLength(text, i);
                if (size == 1)
                {
                    word[n++] = char.ToLowerInvariant(text[i]);
                }
                else if (size == 2)
                {
                    n += Rune.ToLowerInvariant(new Rune(text[i], text[i + 1])).EncodeToUtf16(word.AsSpan(n));
                }
                else if ((text[i] == '\'' || text[i] == '\u2019') && i + 1 < text.Length && WordCharLength(text, i + 1) > 0)
                {
                    word[n++] = text[i];
                    size = 1;
                }
                else
                {
                    break;
                }

                i += size;
            }

            CollectionsMarshal.GetValueRefOrAddDefault(lookup, word.AsSpan(0, n), out _)++;
        }

        return counts;
    }

    // 1 or 2 (UTF-16 units) when a word rune starts at i, else 0.
    private static int WordCharLength(string text, int i)
    {
        var c = text[i];
        if (c < 128)
        {
            return char.IsAsciiLetterOrDigit(c) ? 1 : 0;
        }

        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            return WordTokenizer.IsWordRune(new Rune(c, text[i + 1])) ? 2 : 0;
        }

        return !char.IsSurrogate(c) && (uint)char.GetUnicodeCategory(c) <= (uint)UnicodeCategory.DecimalDigitNumber ? 1 : 0;
    }

    /// <summary>Idiomatic PLINQ: lines in parallel, words as strings, grouped and counted.</summary>
    internal static Dictionary<string, long> Plinq(string path)
    {
        var tokenizer = new WordTokenizer(new WordCountOptions());
        return File.ReadLines(path)
            .AsParallel()
            .SelectMany(line =>
            {
                var words = new List<string>();
                var buffer = new char[64];
                tokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref buffer, words, static (list, w) => list.Add(w.ToString()));
                return words;
            })
            .GroupBy(w => w, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
    }
}
