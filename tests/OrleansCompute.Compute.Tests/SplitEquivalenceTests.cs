using System.Text;
using System.Text.RegularExpressions;
using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Every kind against the reference on generated files, at many random split sizes and merge orders: the
/// record-boundary rule must give exactly the whole-file answer (no record lost or counted twice).
/// </summary>
public sealed class SplitEquivalenceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Word_count_matches_the_reference_at_every_split_size(int seed)
    {
        var rng = new Random(seed);
        var files = new[] { Generators.Text(rng, 300), Generators.Text(rng, 50), [], "no newline at all"u8.ToArray(), Generators.Text(rng, 200) };
        for (var f = 0; f < files.Length; f++)
        {
            _folder.Write($"in/part-{f}.txt", files[f]);
        }

        foreach (var (lower, join) in new[] { (true, true), (false, false), (true, false) })
        {
            var expected = ReferenceText.WordCount(files, lower, join);
            var expectedLines = files.Sum(f => ReferenceText.Lines(f).Count);
            foreach (var splitBytes in SplitSizes(rng, files.Max(f => f.Length)))
            {
                var spec = new ComputeJobSpec
                {
                    JobId = "wc",
                    Kind = "word-count",
                    Input = new InputSpec { Path = "in/*.txt", TargetSplitBytes = splitBytes },
                    WordCount = new WordCountOptions { CaseFolding = lower ? CaseFolding.Lower : CaseFolding.None, JoinApostrophes = join },
                };
                var result = Engine.Run(spec, _folder.Path, rng, shards: rng.Next(1, 4));
                var words = (WordCountResult)result.Value!;
                var actual = words.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal);
                AssertSameCounts(expected, actual, $"seed {seed}, split {splitBytes}, lower {lower}, join {join}");
                Assert.Equal(expected.Values.Sum(), words.TotalWords);
                Assert.Equal(expectedLines, result.Records);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Filter_count_matches_the_reference_at_every_split_size(int seed)
    {
        var rng = new Random(seed);
        var file = Generators.Text(rng, 400);
        var path = _folder.Write("text.txt", file);
        var lines = ReferenceText.Lines(file);
        var cases = new[]
        {
            new FilterOptions { Pattern = "the", MaxSamples = 3 },
            new FilterOptions { Pattern = "café", MaxSamples = 0 },
            new FilterOptions { Pattern = @"\b(the|don't)\b", Mode = FilterMode.Regex, IgnoreCase = true, MaxSamples = 4 },
        };
        foreach (var filter in cases)
        {
            var needle = Encoding.UTF8.GetBytes(filter.Pattern);
            var regex = filter.Mode == FilterMode.Regex ? new Regex(filter.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant) : null;
            var matches = lines.Where(l => regex?.IsMatch(Encoding.UTF8.GetString(l.Bytes)) ?? ReferenceText.Contains(l.Bytes, needle)).ToList();
            foreach (var splitBytes in SplitSizes(rng, file.Length))
            {
                var spec = new ComputeJobSpec { JobId = "f", Kind = "filter-count", Input = new InputSpec { Path = path, TargetSplitBytes = splitBytes }, Filter = filter };
                var result = (FilterCountResult)Engine.Run(spec, _folder.Path, rng).Value!;
                Assert.Equal(matches.Count, result.Matches);
                Assert.Equal(lines.Count, result.Lines);
                Assert.Equal(matches.Take(filter.MaxSamples).Select(m => m.Offset), result.Samples.Select(s => s.Offset));
                Assert.All(result.Samples, s => Assert.Equal(path, s.Path));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Csv_group_by_matches_the_reference_at_every_split_size(int seed)
    {
        var rng = new Random(seed);
        var delimiter = seed % 3 == 0 ? ';' : ',';
        var files = new[] { Generators.Csv(rng, 150, delimiter), Generators.Csv(rng, 40, delimiter) };
        var paths = files.Select((f, i) => _folder.Write($"csv/{i}.csv", f)).ToArray();
        var aggregates = new List<AggregateSpec>
        {
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Sum, "v1"),
            AggregateSpec.Of(AggregateFunction.Mean, "v1"),
            AggregateSpec.Of(AggregateFunction.Min, "v2"),
            AggregateSpec.Of(AggregateFunction.Max, "v2"),
            AggregateSpec.Of(AggregateFunction.Count, "v2"),
        };
        var keys = seed % 2 == 0 ? new List<string> { "k1" } : ["k1", "k2"];
        var reference = ReferenceGroupBy.Run(paths.Order(StringComparer.Ordinal).SelectMany(p => ReferenceRecords.Csv(p, hasHeader: true, delimiter)), keys, aggregates);
        Assert.NotEmpty(reference.Bad);

        foreach (var splitBytes in SplitSizes(rng, files.Max(f => f.Length)))
        {
            var spec = new ComputeJobSpec
            {
                JobId = "g",
                Kind = "group-by",
                Input = new InputSpec { Path = "csv", Format = InputFormat.Csv, Delimiter = delimiter, TargetSplitBytes = splitBytes },
                GroupBy = new GroupByOptions { KeyColumns = keys, Aggregates = aggregates },
                Rejection = new RejectionPolicy { MaxSamples = 1000 },
            };
            var result = Engine.Run(spec, _folder.Path, rng, shards: rng.Next(1, 4));
            AssertSameGroups(reference, result, $"seed {seed}, split {splitBytes}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Json_lines_group_by_matches_the_reference_at_every_split_size(int seed)
    {
        var rng = new Random(seed);
        var file = Generators.JsonLines(rng, 200);
        var path = _folder.Write("data.jsonl", file);
        var aggregates = new List<AggregateSpec>
        {
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Sum, "v"),
            AggregateSpec.Of(AggregateFunction.Mean, "w"),
            AggregateSpec.Of(AggregateFunction.Max, "w"),
            AggregateSpec.Of(AggregateFunction.Min, "v"),
        };
        var reference = ReferenceGroupBy.Run(ReferenceRecords.JsonLines(path), ["k"], aggregates);
        Assert.NotEmpty(reference.Bad);

        foreach (var splitBytes in SplitSizes(rng, file.Length))
        {
            var spec = new ComputeJobSpec
            {
                JobId = "j",
                Kind = "group-by",
                Input = new InputSpec { Path = path, Format = InputFormat.JsonLines, TargetSplitBytes = splitBytes },
                GroupBy = new GroupByOptions { KeyColumns = ["k"], Aggregates = aggregates },
                Rejection = new RejectionPolicy { MaxSamples = 1000 },
            };
            AssertSameGroups(reference, Engine.Run(spec, _folder.Path, rng, shards: rng.Next(1, 3)), $"seed {seed}, split {splitBytes}");
        }
    }

    [Fact]
    public void Csv_without_header_uses_field_indexes_and_the_first_record_field_count()
    {
        var rng = new Random(7);
        var file = Generators.Csv(rng, 120, header: false);
        var path = _folder.Write("noheader.csv", file);
        var aggregates = new List<AggregateSpec> { AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Sum, "2") };
        var records = ReferenceRecords.Csv(path, hasHeader: false, ',');
        var reference = ReferenceGroupBy.Run(records, ["0"], aggregates);
        foreach (var splitBytes in SplitSizes(rng, file.Length))
        {
            var spec = new ComputeJobSpec
            {
                JobId = "n",
                Kind = "group-by",
                Input = new InputSpec { Path = path, Format = InputFormat.Csv, HasHeader = false, TargetSplitBytes = splitBytes },
                GroupBy = new GroupByOptions { KeyColumns = ["0"], Aggregates = aggregates },
                Rejection = new RejectionPolicy { MaxSamples = 1000 },
            };
            AssertSameGroups(reference, Engine.Run(spec, _folder.Path, rng), $"split {splitBytes}");
        }
    }

    internal static IEnumerable<long> SplitSizes(Random rng, int fileLength)
    {
        yield return 1;
        yield return 2;
        yield return 3;
        yield return long.MaxValue;
        for (var i = 0; i < 8; i++)
        {
            yield return rng.Next(1, Math.Max(2, fileLength + 2));
        }
    }

    internal static void AssertSameCounts(Dictionary<string, long> expected, Dictionary<string, long> actual, string context)
    {
        var missing = expected.Where(e => actual.GetValueOrDefault(e.Key) != e.Value).Take(5).Select(e => $"{e.Key}: expected {e.Value}, got {actual.GetValueOrDefault(e.Key)}").ToList();
        var extra = actual.Keys.Where(k => !expected.ContainsKey(k)).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"{context}: wrong counts [{string.Join("; ", missing)}], unexpected words [{string.Join("; ", extra)}]");
    }

    private static void AssertSameGroups(ReferenceGroupBy.Result expected, ComputeJobResult result, string context)
    {
        var actual = (GroupByResult)result.Value!;
        Assert.Equal(expected.Records, result.Records);
        Assert.Equal(expected.Bad.Count, result.BadRecords.Count);
        Assert.Equal(expected.Bad.Order().ToList(), result.BadRecords.Samples.Select(s => (s.Path, s.Offset)).ToList());
        Assert.True(expected.Rows.Count == actual.Rows.Count, $"{context}: expected {expected.Rows.Count} groups, got {actual.Rows.Count}");
        for (var i = 0; i < expected.Rows.Count; i++)
        {
            Assert.True(expected.Rows[i].Key.SequenceEqual(actual.Rows[i].Key), $"{context}: row {i} key {expected.Rows[i]} vs {actual.Rows[i]}");
            Assert.True(expected.Rows[i].Values.SequenceEqual(actual.Rows[i].Values), $"{context}: row {i} {expected.Rows[i]} vs {actual.Rows[i]}");
        }
    }
}
