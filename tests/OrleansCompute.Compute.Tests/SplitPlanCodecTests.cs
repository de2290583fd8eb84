using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Jobs;
using Xunit.Abstractions;

namespace OrleansCompute.Compute.Tests;

/// <summary>The compact persisted plan (issue 17): exact round trips, and a job's state under 1 MB per 10,000 files.</summary>
public sealed class SplitPlanCodecTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_packed_text_plan_with_large_files_round_trips_exactly()
    {
        var rng = new Random(4);
        for (var f = 0; f < 300; f++)
        {
            _folder.Write($"t/{(char)('a' + (f % 5))}/{f:D3}.txt", f % 97 == 5 ? Generators.Text(rng, 3000) : f % 50 == 1 ? [] : Generators.Text(rng, rng.Next(1, 60)));
        }

        var plan = Engine.Plan(new InputSpec { Path = "t", TargetSplitBytes = 4096 }, _folder.Path, 128);
        Assert.Contains(plan.Splits, s => s.Parts is not null);
        Assert.Contains(plan.Splits, s => s.Parts is null && s.Start > 0);
        AssertRoundTrips(plan);
    }

    [Fact]
    public void A_csv_plan_keeps_every_files_header_and_field_count()
    {
        var rng = new Random(6);
        for (var f = 0; f < 40; f++)
        {
            _folder.Write($"c/{f:D2}.csv", f % 3 == 0 ? Encoding.UTF8.GetBytes("a,b\n1,2\n3,4\n") : Generators.Csv(rng, rng.Next(1, 200)));
        }

        var plan = Engine.Plan(new InputSpec { Path = "c", Format = InputFormat.Csv, TargetSplitBytes = 2048 }, _folder.Path, 64);
        Assert.Contains(plan.Splits, s => s.Parts is not null);
        AssertRoundTrips(plan);

        var noHeader = Engine.Plan(new InputSpec { Path = "c", Format = InputFormat.Csv, HasHeader = false, TargetSplitBytes = 2048 }, _folder.Path, 64);
        Assert.All(noHeader.Splits.SelectMany(s => s.Ranges), r => Assert.Null(r.Header));
        AssertRoundTrips(noHeader);
    }

    [Fact]
    public void Paths_share_prefixes_without_cutting_a_character_in_two()
    {
        var plan = new SplitPlan
        {
            Files =
            [
                new InputFile { Path = "/d/日本/\U0001F600a.txt", Length = 3 },
                new InputFile { Path = "/d/日本/\U0001F601b.txt", Length = 4 }, // shares the high surrogate of the emoji only
                new InputFile { Path = "/d/日本/\U0001F601b.txt2", Length = 5 },
                new InputFile { Path = "blob:c/x y/é", Length = 6 },
            ],
            TotalBytes = 18,
        };
        plan.Splits.Add(new InputSplit
        {
            SplitId = 0,
            Parts = [.. plan.Files.Select((f, i) => new InputSplit { SplitId = 0, FileIndex = i, Path = f.Path, Start = i == 3 ? 2 : 0, End = f.Length })],
        });
        AssertRoundTrips(plan);
        AssertRoundTrips(new SplitPlan());
    }

    [Fact]
    public void A_plan_in_an_unknown_format_is_refused_with_a_clear_message()
    {
        var bytes = SplitPlanCodec.Encode(new SplitPlan { Files = [new InputFile { Path = "/x", Length = 1 }], TotalBytes = 1 });
        bytes[0] = 99;
        var e = Assert.Throws<InvalidDataException>(() => SplitPlanCodec.Decode(bytes));
        Assert.Contains("format 99", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => SplitPlanCodec.Decode([SplitPlanCodec.Version, 5]));
    }

    [Fact]
    public void A_job_over_10000_small_files_persists_well_under_1_MB_of_state()
    {
        // A mail archive's shape under a temp folder: long absolute paths, 10,000 files of 500 B – 8 KB. Text planning
        // only reads lengths, so the files need not exist.
        var rng = new Random(10);
        var root = Path.Combine(Path.GetTempPath(), "oc-compute-tests", Guid.NewGuid().ToString("N"), "archive", "lists");
        var files = Enumerable.Range(0, 10_000)
            .Select(i => new InputFile { Path = $"{root}/debian-devel-{2000 + (i / 1000)}/{(i % 1000) / 100:D2}/msg{i:D5}.eml", Length = rng.Next(500, 8000) })
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var input = new InputSpec { Path = root, TargetSplitBytes = 4L << 20 };
        var plan = SplitPlanner.Plan(files, input, _ => throw new InvalidOperationException("text plans read no file"), SplitPlanner.DefaultFileOpenCostBytes);
        Assert.InRange(plan.Splits.Count, 10, 40);

        var state = new JobGrainState
        {
            Submitted = true,
            State = JobState.Running,
            Spec = Wire.Serialize(new ComputeJobSpec { JobId = "mail", Kind = "word-count", Input = input }),
            CompactPlan = SplitPlanCodec.Encode(plan),
            SplitsTotal = plan.Splits.Count,
            BytesTotal = plan.TotalBytes,
            ShardCount = 4,
            DoneSplits = [.. Enumerable.Range(0, plan.Splits.Count)],
        };
        var stateBytes = Wire.Serialize(state).Length;
        var fieldByField = Wire.Serialize(plan).Length;
        output.WriteLine($"10,000 files, {plan.Splits.Count} splits: job state {stateBytes:N0} B (compact plan {state.CompactPlan.Length:N0} B); the plan field by field: {fieldByField:N0} B");
        Assert.True(stateBytes < 1_000_000, $"{stateBytes:N0} B of job state for 10,000 files");
        Assert.True(stateBytes * 4 < fieldByField, "the compact plan is a fraction of the field-by-field one");
        AssertRoundTrips(plan);
    }

    private static void AssertRoundTrips(SplitPlan plan)
    {
        var decoded = SplitPlanCodec.Decode(SplitPlanCodec.Encode(plan));
        Assert.Equal(plan.TotalBytes, decoded.TotalBytes);
        Assert.Equal(plan.Files.Select(f => (f.Path, f.Length)), decoded.Files.Select(f => (f.Path, f.Length)));
        Assert.Equal(plan.Splits.Count, decoded.Splits.Count);
        for (var s = 0; s < plan.Splits.Count; s++)
        {
            AssertSameSplit(plan.Splits[s], decoded.Splits[s]);
        }
    }

    private static void AssertSameSplit(InputSplit expected, InputSplit actual)
    {
        Assert.Equal((expected.SplitId, expected.Path, expected.Start, expected.End, expected.FieldCount, expected.FileIndex),
            (actual.SplitId, actual.Path, actual.Start, actual.End, actual.FieldCount, actual.FileIndex));
        Assert.Equal(expected.Header, actual.Header);
        Assert.Equal(expected.Parts is null, actual.Parts is null);
        for (var p = 0; p < (expected.Parts?.Count ?? 0); p++)
        {
            AssertSameSplit(expected.Parts![p], actual.Parts![p]);
        }

        Assert.Equal(expected.Parts?.Count, actual.Parts?.Count);
    }
}
