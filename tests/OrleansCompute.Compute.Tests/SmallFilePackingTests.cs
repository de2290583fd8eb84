using System.Text;
using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Issue 17: small files are packed into splits of about the target size (bytes plus a per-file open cost), and a
/// packed split reads exactly what one split per file would: the same records, words, groups and bad records.
/// </summary>
public sealed class SmallFilePackingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Thousands_of_small_files_make_about_as_many_splits_as_their_bytes_in_one_file()
    {
        var rng = new Random(17);
        var files = new List<byte[]>();
        for (var f = 0; f < 3000; f++)
        {
            var bytes = f % 500 == 7 ? [] : Generators.Text(rng, rng.Next(1, 400)); // a few empty files among them
            files.Add(bytes);
            _folder.Write($"many/d{f % 7}/f{f:D5}.txt", bytes);
        }

        const long target = 256 << 10;
        const long openCost = 8 << 10;
        var input = new InputSpec { Path = "many", TargetSplitBytes = target };
        var plan = Engine.Plan(input, _folder.Path, openCost);

        var nonEmpty = files.Count(f => f.Length > 0);
        var totalCost = files.Where(f => f.Length > 0).Sum(f => f.Length + openCost);
        Assert.Equal(3000, plan.Files.Count);
        // Next-fit packing: a split is closed only when the next piece does not fit, so every split but the last costs
        // more than the target less the largest piece.
        var largest = files.Max(f => f.Length) + openCost;
        Assert.InRange(plan.Splits.Count, (int)(totalCost / target), (int)(totalCost / (target - largest)) + 1);
        Assert.True(plan.Splits.Count < nonEmpty / 20, $"{plan.Splits.Count} splits for {nonEmpty} files");

        // Every non-empty file is read exactly once, whole, in path order; no split costs more than the target.
        var ranges = plan.Splits.SelectMany(s => s.Ranges.Select(r => (Split: s.SplitId, Range: r))).ToList();
        Assert.Equal(Enumerable.Range(0, plan.Files.Count).Where(i => plan.Files[i].Length > 0), ranges.Select(r => r.Range.FileIndex));
        Assert.All(ranges, r =>
        {
            Assert.Equal(r.Split, r.Range.SplitId);
            Assert.Equal(plan.Files[r.Range.FileIndex].Path, r.Range.Path);
            Assert.Equal(0, r.Range.Start);
            Assert.Equal(plan.Files[r.Range.FileIndex].Length, r.Range.End);
            Assert.Null(r.Range.Parts);
        });
        Assert.All(plan.Splits, s => Assert.True(s.Ranges.Sum(r => r.End - r.Start + openCost) <= target, $"split {s.SplitId} costs more than the target"));
        Assert.Equal(plan.Files.Sum(f => f.Length), plan.Splits.Sum(s => s.Bytes));
        Assert.Equal(Enumerable.Range(0, plan.Splits.Count), plan.Splits.Select(s => s.SplitId));
    }

    [Fact]
    public void One_byte_files_are_bounded_per_split_by_the_open_cost()
    {
        for (var f = 0; f < 1000; f++)
        {
            _folder.Write($"tiny/{f:D4}.txt", "x"u8.ToArray());
        }

        var plan = Engine.Plan(new InputSpec { Path = "tiny", TargetSplitBytes = 64 << 10 }, _folder.Path, fileOpenCostBytes: 1 << 10);
        Assert.All(plan.Splits, s => Assert.True(s.Ranges.Count <= 63, $"split {s.SplitId} holds {s.Ranges.Count} files"));
        Assert.Equal(16, plan.Splits.Count); // 1,000 × (1 + 1,024) bytes of cost in 64 KiB splits: 63 files each
    }

    [Fact]
    public void A_large_files_full_pieces_stay_alone_and_its_tail_shares_a_split_with_the_next_small_files()
    {
        var rng = new Random(3);
        _folder.Write("mixed/a-small.txt", Generators.Text(rng, 50));
        var big = Generators.Text(rng, 20_000);
        _folder.Write("mixed/b-big.txt", big);
        for (var f = 0; f < 20; f++)
        {
            _folder.Write($"mixed/c-{f:D2}.txt", Generators.Text(rng, 40));
        }

        var target = big.Length * 2 / 7; // three full pieces and a tail of a seventh
        var plan = Engine.Plan(new InputSpec { Path = "mixed", TargetSplitBytes = target }, _folder.Path, fileOpenCostBytes: 64);
        var bigRanges = plan.Splits.SelectMany(s => s.Ranges.Select(r => (Split: s, Range: r))).Where(r => r.Range.Path.EndsWith("b-big.txt", StringComparison.Ordinal)).ToList();
        Assert.True(bigRanges.Count >= 3);
        Assert.All(bigRanges.SkipLast(1), r => Assert.Null(r.Split.Parts)); // full pieces: a split each
        var tail = bigRanges[^1];
        Assert.NotNull(tail.Split.Parts); // the tail is packed with the small files after it
        Assert.True(tail.Range.Start > 0);
        Assert.Contains(tail.Split.Ranges, r => r.Path.EndsWith("c-00.txt", StringComparison.Ordinal));
        Assert.True(plan.Splits[0].Ranges.Count == 1 || plan.Splits[0].Ranges[^1].Path.EndsWith("b-big.txt", StringComparison.Ordinal));

        // And the words are those of the files.
        var spec = new ComputeJobSpec { JobId = "mixed", Kind = "word-count", Input = new InputSpec { Path = "mixed", TargetSplitBytes = target } };
        var words = (WordCountResult)Engine.Run(spec, _folder.Path, plan, new Random(1), shards: 3).Value!;
        var expected = ReferenceText.WordCount(Directory.GetFiles(_folder.File("mixed")).Order(StringComparer.Ordinal).Select(File.ReadAllBytes), lower: true, joinApostrophes: true);
        SplitEquivalenceTests.AssertSameCounts(expected, words.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal), "mixed");
    }

    [Fact]
    public void Word_count_over_many_small_files_equals_the_same_bytes_in_one_file()
    {
        var rng = new Random(5);
        var all = new List<byte>();
        for (var f = 0; f < 800; f++)
        {
            var text = Generators.Text(rng, rng.Next(0, 120)).ToList();
            if (text.Count > 0 && text[^1] != (byte)'\n')
            {
                text.Add((byte)'\n'); // so that no word or line joins two files in the concatenation
            }

            _folder.Write($"docs/{f:D4}.txt", [.. text]);
            all.AddRange(text);
        }

        _folder.Write("one.txt", [.. all]);
        ComputeJobSpec Spec(string path) => new() { JobId = "wc", Kind = "word-count", Input = new InputSpec { Path = path, TargetSplitBytes = 32 << 10 } };
        var packed = Engine.Plan(Spec("docs").Input, _folder.Path, 1 << 10);
        Assert.True(packed.Splits.Count < 40, $"{packed.Splits.Count} splits");
        var many = Engine.Run(Spec("docs"), _folder.Path, packed, new Random(2), shards: 3);
        var one = Engine.Run(Spec("one.txt"), _folder.Path, new Random(2), shards: 3);
        Assert.Equal(one.Records, many.Records);
        Assert.Equal(Wire.Serialize(one.Value), Wire.Serialize(many.Value));
    }

    public static TheoryData<string> Kinds() => ["word-count", "filter-count", "group-by csv", "group-by json"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Packed_splits_give_what_one_split_per_file_gives(string kind)
    {
        var rng = new Random(kind.Length * 31);
        var csv = kind == "group-by csv";
        var json = kind == "group-by json";
        var extension = csv ? "csv" : json ? "jsonl" : "txt";
        for (var f = 0; f < 200; f++)
        {
            byte[] content = csv
                ? f % 11 == 3 ? Encoding.UTF8.GetBytes("k1,k2,v1\nx,y,1\n") : Generators.Csv(rng, rng.Next(0, 30)) // another header now and then
                : json ? Generators.JsonLines(rng, rng.Next(0, 30))
                : Generators.Text(rng, rng.Next(0, 80));
            _folder.Write($"kind/{f:D3}.{extension}", content);
        }

        var spec = new ComputeJobSpec
        {
            JobId = "k",
            Kind = kind.StartsWith("group-by", StringComparison.Ordinal) ? "group-by" : kind,
            Input = new InputSpec
            {
                Path = $"kind/*.{extension}",
                Format = csv ? InputFormat.Csv : json ? InputFormat.JsonLines : InputFormat.Text,
                TargetSplitBytes = 16 << 10,
            },
            Filter = kind == "filter-count" ? new FilterOptions { Pattern = "the", MaxSamples = 7 } : null,
            GroupBy = kind.StartsWith("group-by", StringComparison.Ordinal)
                ? new GroupByOptions
                {
                    KeyColumns = [csv ? "k1" : "k"],
                    Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Sum, csv ? "v1" : "v"), AggregateSpec.Of(AggregateFunction.Max, csv ? "v1" : "v")],
                }
                : null,
            Rejection = new RejectionPolicy { MaxSamples = 9 },
        };

        var packed = Engine.Plan(spec.Input, _folder.Path, fileOpenCostBytes: 256);
        var alone = Engine.Plan(spec.Input, _folder.Path, fileOpenCostBytes: long.MaxValue / 4); // every file its own split: the plan before packing
        Assert.Contains(packed.Splits, s => s.Parts is { Count: > 5 });
        Assert.All(alone.Splits, s => Assert.Null(s.Parts));
        Assert.True(packed.Splits.Count * 4 < alone.Splits.Count, $"{packed.Splits.Count} packed splits, {alone.Splits.Count} alone");

        var expected = Engine.Run(spec, _folder.Path, alone, new Random(1), shards: 2);
        var actual = Engine.Run(spec, _folder.Path, packed, new Random(2), shards: 3);
        Assert.Equal(expected.Records, actual.Records);
        Assert.Equal(Wire.Serialize(expected.BadRecords), Wire.Serialize(actual.BadRecords));
        Assert.Equal(Wire.Serialize(expected.Value), Wire.Serialize(actual.Value));
        if (csv || json)
        {
            Assert.True(expected.BadRecords.Count > 0, "the generated files have bad records");
        }
    }

    [Fact]
    public void A_packed_split_cannot_be_read_through_one_reader()
    {
        for (var f = 0; f < 3; f++)
        {
            _folder.Write($"three/{f}.txt", "a b\n"u8.ToArray());
        }

        var spec = new ComputeJobSpec { JobId = "r", Kind = "word-count", Input = new InputSpec { Path = "three", TargetSplitBytes = 1 << 20 } };
        var split = Engine.Plan(spec.Input, _folder.Path).Splits.Single();
        Assert.Equal(3, split.Parts!.Count);
        var runner = Grains.Compute.Jobs.ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var e = Assert.Throws<ArgumentException>(() => runner.RunSplit(split, new Grains.Compute.Reading.FileRangeReader(split.Parts[0].Path)));
        Assert.Contains("packs 3 file ranges", e.Message, StringComparison.Ordinal);
        Assert.Equal(6, runner.Finish(runner.RunSplit(split)).Value is WordCountResult w ? w.TotalWords : 0);
    }
}
