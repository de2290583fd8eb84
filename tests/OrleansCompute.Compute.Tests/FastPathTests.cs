using System.Globalization;
using System.Text;
using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Kinds;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// The built-in kinds' whole-split fast paths (block tokenizing for text word count, UTF-8 keyed groups with
/// integer sums for CSV group-by) give exactly what the per-record path and the reference give, including the
/// corners the fast paths special-case: long-sum overflow, numbers too long for a long, fractions after integers,
/// invalid UTF-8 in keys, CRLF and unterminated last records.
/// </summary>
public sealed class FastPathTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Csv_group_by_fast_path_equals_the_per_record_path_and_the_reference(int seed)
    {
        var rng = new Random(seed);
        var csv = new StringBuilder("k1,k2,v1,v2\n");
        string[] k1 = ["a", "b", "ü", "\uFFFD", "long key with spaces"];
        string[] numbers = ["900000000000000000", "-900000000000000000", "9223372036854775807", "12345678901234567890", "1", "1.0", "1.50", "-7", " 3 ", "0", "-0", "2e3", "", "x"];
        for (var i = 0; i < 3000; i++)
        {
            csv.Append(Generators.Pick(rng, k1)).Append(',').Append(rng.Next(3)).Append(',')
                .Append(Generators.Pick(rng, numbers)).Append(',').Append(Generators.Pick(rng, numbers)).Append(rng.Next(4) == 0 ? "\r\n" : "\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString()).ToList();
        bytes.AddRange([0xFF, (byte)',', (byte)'1', (byte)',', (byte)'5', (byte)',', (byte)'5', (byte)'\n']); // invalid UTF-8 key → U+FFFD
        bytes.AddRange([0xC3, (byte)',', (byte)'1', (byte)',', (byte)'6', (byte)',', (byte)'6']);              // another one, no final newline
        var path = _folder.Write("g.csv", [.. bytes]);
        List<AggregateSpec> aggregates =
        [
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Sum, "v1"),
            AggregateSpec.Of(AggregateFunction.Mean, "v1"),
            AggregateSpec.Of(AggregateFunction.Min, "v1"),
            AggregateSpec.Of(AggregateFunction.Max, "v2"),
            AggregateSpec.Of(AggregateFunction.Count, "v2"),
        ];
        foreach (var keys in new List<string>[] { ["k1"], ["k1", "k2"] })
        {
            var reference = ReferenceGroupBy.Run(ReferenceRecords.Csv(path, hasHeader: true, ','), keys, aggregates);
            Assert.NotEmpty(reference.Bad);
            foreach (var splitBytes in new long[] { 50, 997, 10_000, 1 << 20 })
            {
                var spec = new ComputeJobSpec
                {
                    JobId = "fp",
                    Kind = "group-by",
                    Input = new InputSpec { Path = "g.csv", Format = InputFormat.Csv, TargetSplitBytes = splitBytes },
                    GroupBy = new GroupByOptions { KeyColumns = keys, Aggregates = aggregates },
                    Rejection = new RejectionPolicy { MaxSamples = 10_000 },
                };
                AssertFastPathMatches(spec, reference, rng, shards: 2);
            }
        }
    }

    /// <summary>
    /// The vectorized scan of quote-free runs of records hands quoted records (a quoted key with the delimiter, a
    /// newline or an escaped quote inside) back to the RFC 4180 parser one at a time; records with too few or too
    /// many fields, empty lines, CRLF, tab delimiters, needed columns before unneeded ones and fields straddling
    /// 64-byte scan windows all give what the per-record path and the reference give.
    /// </summary>
    [Theory]
    [InlineData(11, ',')]
    [InlineData(12, ',')]
    [InlineData(13, '\t')]
    public void Csv_group_by_block_scan_handles_quoted_records_inside_quote_free_runs(int seed, char delimiter)
    {
        var rng = new Random(seed);
        var d = delimiter.ToString();
        var csv = new StringBuilder($"pad{d}k{d}v{d}tail{d}w\n");
        string[] keys = ["a", "bb", "ccc", "\"q" + d + "x\"", "\"line\nbreak\"", "\"say \"\"hi\"\"\"", "\"\"", "ü"];
        for (var i = 0; i < 4000; i++)
        {
            var pad = new string('p', rng.Next(0, 90)); // moves the needed fields across 64-byte windows
            var row = rng.Next(40) switch
            {
                0 => "",                                                            // an empty line
                1 => $"{pad}{d}{Generators.Pick(rng, keys)}{d}{rng.Next(100)}",     // too few fields
                2 => $"{pad}{d}a{d}1{d}t{d}2{d}extra",                              // too many fields
                3 => $"{pad}{d}a{d}not-a-number{d}t{d}5",                           // a bad number
                _ => $"{pad}{d}{Generators.Pick(rng, keys)}{d}{rng.Next(-1000, 1000)}{d}{new string('t', rng.Next(0, 70))}{d}{rng.Next(5000)}",
            };
            csv.Append(row).Append(rng.Next(5) == 0 ? "\r\n" : "\n");
        }

        csv.Append($"{d}ccc{d}4{d}{d}9"); // no final newline
        var path = _folder.Write("q.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        List<AggregateSpec> aggregates =
        [
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Sum, "v"),
            AggregateSpec.Of(AggregateFunction.Min, "v"),
            AggregateSpec.Of(AggregateFunction.Max, "w"),
        ];
        var reference = ReferenceGroupBy.Run(ReferenceRecords.Csv(path, hasHeader: true, delimiter), ["k"], aggregates);
        Assert.NotEmpty(reference.Bad);
        Assert.Contains(reference.Rows, r => r.ToString().Contains("line\nbreak", StringComparison.Ordinal));
        foreach (var splitBytes in new long[] { 333, 8192, 1 << 20 })
        {
            var spec = new ComputeJobSpec
            {
                JobId = "fq",
                Kind = "group-by",
                Input = new InputSpec { Path = "q.csv", Format = InputFormat.Csv, Delimiter = delimiter, TargetSplitBytes = splitBytes },
                GroupBy = new GroupByOptions { KeyColumns = ["k"], Aggregates = aggregates },
                Rejection = new RejectionPolicy { MaxSamples = 10_000 },
            };
            AssertFastPathMatches(spec, reference, rng, shards: 3);
        }
    }

    /// <summary>
    /// Mostly well-formed files, so most 16 KiB windows take the column-at-a-time path (every record of the header's
    /// field count): keys of 0 to 12 bytes (the 8-byte masked load, and its fallback at the end of a block), integers
    /// of 1 to 19 digits with and without '-', and now and then a value it must set aside (empty, a fraction, spaces,
    /// '+', a lone '-', text) or a record of the wrong field count that sends its window to the general path. LF and
    /// CRLF, the key as the last field, a column both key and value, two key columns, three delimiters.
    /// </summary>
    [Theory]
    [InlineData(21, ',', false, false)]
    [InlineData(22, ';', true, false)]
    [InlineData(23, '\t', false, true)]
    [InlineData(24, ',', true, true)]
    public void Csv_group_by_uniform_windows_equal_the_per_record_path_and_the_reference(int seed, char delimiter, bool crlf, bool keyLast)
    {
        var rng = new Random(seed);
        var d = delimiter.ToString();
        var newline = crlf ? "\r\n" : "\n";
        string[] keys = ["", "a", "LAS", "PHL", "ORD1", "abcdefg", "abcdefgh", "abcdefghi", "ü", "日本", "twelve bytes", "LAS "];
        string[] odd = ["", "1.5", " 7", "+3", "-", "x", "1234567890123456789", "99999999999999999999", "0.0"];
        var header = keyLast ? $"date{d}v{d}w{d}k2{d}k" : $"date{d}k{d}v{d}k2{d}w";
        var csv = new StringBuilder(header).Append(newline);
        for (var i = 0; i < 20_000; i++)
        {
            var key = Generators.Pick(rng, keys);
            var k2 = rng.Next(3).ToString(CultureInfo.InvariantCulture);
            var digits = rng.Next(1, 19);
            var big = rng.NextInt64(1, 1_000_000_000_000_000_000) % (long)Math.Pow(10, digits);
            var v = rng.Next(300) == 0 ? Generators.Pick(rng, odd) : (rng.Next(3) == 0 ? "-" : "") + big.ToString(CultureInfo.InvariantCulture);
            var w = rng.Next(300) == 0 ? Generators.Pick(rng, odd) : rng.Next(-50, 5000).ToString(CultureInfo.InvariantCulture);
            var date = $"2001-01-{rng.Next(1, 29):00} 00:0{rng.Next(10)}:00";
            var row = keyLast ? $"{date}{d}{v}{d}{w}{d}{k2}{d}{key}" : $"{date}{d}{key}{d}{v}{d}{k2}{d}{w}";
            if (rng.Next(2500) == 0)
            {
                row = rng.Next(2) == 0 ? $"{date}{d}{key}" : $"{row}{d}extra"; // the wrong field count: its window goes the general way
            }
            else if (i % 5000 == 4999)
            {
                row = $"{date}{d}{key}{d}{v}{d}{k2}{newline}{row}{d}{w}"; // one field short, then one too many: the window's count still fits
            }

            csv.Append(row).Append(newline);
        }

        var path = _folder.Write("u.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        List<AggregateSpec> aggregates =
        [
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Sum, "v"),
            AggregateSpec.Of(AggregateFunction.Min, "v"),
            AggregateSpec.Of(AggregateFunction.Max, "w"),
            AggregateSpec.Of(AggregateFunction.Mean, "w"),
            AggregateSpec.Of(AggregateFunction.Max, "k2"),
        ];
        foreach (var groupKeys in new List<string>[] { ["k"], ["k2"], ["k", "k2"] })
        {
            var reference = ReferenceGroupBy.Run(ReferenceRecords.Csv(path, hasHeader: true, delimiter), groupKeys, aggregates);
            Assert.NotEmpty(reference.Bad);
            foreach (var splitBytes in new long[] { 5000, 100_000, 1 << 22 })
            {
                var spec = new ComputeJobSpec
                {
                    JobId = "fu",
                    Kind = "group-by",
                    Input = new InputSpec { Path = "u.csv", Format = InputFormat.Csv, Delimiter = delimiter, TargetSplitBytes = splitBytes },
                    GroupBy = new GroupByOptions { KeyColumns = groupKeys, Aggregates = aggregates },
                    Rejection = new RejectionPolicy { MaxSamples = 10_000 },
                };
                AssertFastPathMatches(spec, reference, rng, shards: 2);
            }
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Text_word_count_block_path_equals_the_per_record_path_and_counts_every_line(int seed, bool endsWithNewline)
    {
        var rng = new Random(seed);
        var text = Generators.Text(rng, 5000).ToList();
        if (!endsWithNewline)
        {
            while (text.Count > 0 && text[^1] is (byte)'\n' or (byte)'\r')
            {
                text.RemoveAt(text.Count - 1);
            }
        }
        else if (text[^1] != (byte)'\n')
        {
            text.Add((byte)'\n');
        }

        var file = text.ToArray();
        _folder.Write("t.txt", file);
        var lines = ReferenceText.Lines(file).Count;
        var expected = ReferenceText.WordCount([file], lower: true, joinApostrophes: true);
        foreach (var splitBytes in new long[] { 7, 300, 4096, file.Length - 1, 1 << 22 })
        {
            var spec = new ComputeJobSpec { JobId = "w", Kind = "word-count", Input = new InputSpec { Path = "t.txt", TargetSplitBytes = splitBytes } };
            var fast = Engine.Run(spec, _folder.Path, rng);
            var slow = Engine.Run(spec, _folder.Path, rng, registry: PerRecordRegistry());
            var words = ((WordCountResult)fast.Value!).Words;
            Assert.Equal(lines, fast.Records);
            Assert.Equal(slow.Records, fast.Records);
            Assert.Equal(((WordCountResult)slow.Value!).Words.Select(w => w.ToString()), words.Select(w => w.ToString()));
            SplitEquivalenceTests.AssertSameCounts(expected, words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal), $"split {splitBytes}");
        }
    }

    [Fact]
    public void Word_count_result_is_ordered_by_count_then_ordinal_word_in_both_directions()
    {
        var rng = new Random(9);
        string[] parts = ["a", "ab", "abc", "abcd", "abcde", "Z", "é", "\U0001F600", "\uFFFF", "b'c", "0", "9"];
        var merged = new ComputePartial<string, long> { JobId = "o", Entries = new Dictionary<string, long>(StringComparer.Ordinal) };
        for (var i = 0; i < 5000; i++)
        {
            var word = Generators.Pick(rng, parts) + Generators.Pick(rng, parts) + (rng.Next(3) == 0 ? Generators.Pick(rng, parts) : "");
            merged.Entries[word] = rng.Next(1, 6);
        }

        foreach (var descending in new[] { true, false })
        {
            var spec = new ComputeJobSpec { JobId = "o", Kind = "word-count", TopK = new TopKOptions { K = merged.Entries.Count, OrderBy = "count", Descending = descending } };
            var words = new WordCountJob(spec).Finish(merged).Words;
            var ordered = descending
                ? merged.Entries.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal)
                : merged.Entries.OrderBy(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal);
            Assert.Equal(ordered.Select(e => $"{e.Key}: {e.Value}"), words.Select(w => w.ToString()));
        }
    }

    [Fact]
    public void Utf8_key_table_finds_every_key_it_holds_across_growth()
    {
        var table = new Utf8KeyTable<long>(4);
        var reference = new Dictionary<string, long>(StringComparer.Ordinal);
        var rng = new Random(4);
        for (var i = 0; i < 200_000; i++)
        {
            var key = rng.Next(60_000).ToString(CultureInfo.InvariantCulture) + new string('x', rng.Next(12));
            table.GetValueRef(Encoding.UTF8.GetBytes(key), out var exists)++;
            Assert.Equal(reference.ContainsKey(key), exists);
            reference[key] = reference.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(reference.Count, table.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < table.Count; i++)
        {
            var key = Encoding.UTF8.GetString(table.KeyAt(i));
            Assert.True(seen.Add(key));
            Assert.Equal(reference[key], table.ValueAt(i));
        }

        Assert.Equal(0, table.GetValueRef(""u8, out var empty));
        Assert.False(empty);
    }

    /// <summary>The group-by fast path gives the per-record path's rows, bad-record reasons and the reference's rows, record count and bad offsets.</summary>
    private void AssertFastPathMatches(ComputeJobSpec spec, ReferenceGroupBy.Result reference, Random rng, int shards)
    {
        var fast = Engine.Run(spec, _folder.Path, rng, shards);
        var slow = Engine.Run(spec, _folder.Path, rng, shards, registry: PerRecordRegistry());
        var fastRows = ((GroupByResult)fast.Value!).Rows.Select(r => r.ToString()).ToList();
        Assert.Equal(((GroupByResult)slow.Value!).Rows.Select(r => r.ToString()), fastRows);
        Assert.Equal(reference.Rows.Select(r => r.ToString()), fastRows);
        Assert.Equal(reference.Records, fast.Records);
        Assert.Equal(reference.Bad.Select(b => b.Offset), fast.BadRecords.Samples.Select(s => s.Offset));
        Assert.Equal(slow.BadRecords.Samples.Select(s => s.Reason), fast.BadRecords.Samples.Select(s => s.Reason));
    }

    /// <summary>The built-in kinds without their fast paths: user kinds that forward Map / Combine / Finish.</summary>
    internal static ComputeJobRegistry PerRecordRegistry() => new ComputeJobRegistry()
        .Register<string, GroupAccumulator, GroupByResult>("group-by", static spec => new PerRecord<GroupAccumulator, GroupByResult>(new GroupByJob(spec, requireTopK: false)))
        .Register<string, long, WordCountResult>("word-count", static spec => new PerRecord<long, WordCountResult>(new WordCountJob(spec)));

    private sealed class PerRecord<TValue, TResult>(ComputeJob<string, TValue, TResult> inner) : ComputeJob<string, TValue, TResult>
    {
        public override IReadOnlyList<string> Columns => inner.Columns;

        public override IEqualityComparer<string>? KeyComparer => inner.KeyComparer;

        public override void Map(in ComputeRecord record, Combiner<string, TValue> output) => inner.Map(record, output);

        public override TValue Combine(TValue accumulated, TValue value) => inner.Combine(accumulated, value);

        public override TResult Finish(ComputePartial<string, TValue> merged) => inner.Finish(merged);
    }
}
