using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Benchmarks.Compute;

/// <summary>
/// Group-by over the flights CSV (3 M rows, 106 MB): per origin, count, mean delay and max distance. The
/// engine on one thread over all splits (and on two; both include planning, which reads the CSV once to cut
/// at record starts), a hand-written single-threaded baseline that knows the file has no quotes (the COST
/// anchor), and PLINQ. Setup checks they agree.
/// Run: dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --filter '*GroupBy*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class GroupByBenchmarks
{
    private string _path = null!;
    private ComputeJobSpec _spec = null!;

    [GlobalSetup]
    public void Setup()
    {
        _path = BenchData.Require("flights-3m.csv");
        _spec = new ComputeJobSpec
        {
            JobId = "bench",
            Kind = "group-by",
            Input = new InputSpec { Path = "flights-3m.csv", Format = InputFormat.Csv, TargetSplitBytes = 16 << 20 },
            GroupBy = new GroupByOptions
            {
                KeyColumns = ["origin"],
                Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay"), AggregateSpec.Of(AggregateFunction.Max, "distance")],
            },
        };
        var engine = ((GroupByResult)BenchData.RunEngine(_spec).Value!).Rows.ToDictionary(r => r.Key[0]!, r => (Count: (long)r.Values[0]!.Value, Mean: r.Values[1]!.Value, Max: r.Values[2]!.Value));
        var baseline = Baseline(_path);
        var plinq = Plinq(_path);
        foreach (var (origin, (count, mean, max)) in engine)
        {
            var b = baseline[origin];
            var p = plinq[origin];
            if (b.Count != count || b.Max != max || (decimal)b.Sum / b.Count != mean || p.Count != count || p.Max != max || Math.Abs(p.Mean - (double)mean) > 1e-9)
            {
                throw new InvalidOperationException($"Engine, baseline and PLINQ disagree for origin {origin}.");
            }
        }

        Console.WriteLine($"// flights: {new FileInfo(_path).Length:N0} bytes, {engine.Count} origins, {engine.Values.Sum(v => v.Count):N0} rows");
    }

    [Benchmark]
    public int Engine() => ((GroupByResult)BenchData.RunEngine(_spec).Value!).Rows.Count;

    /// <summary>Planning alone (header, and the quote-aware scan that finds record starts to cut at).</summary>
    [Benchmark]
    public int PlanOnly() => new Grains.Compute.Inputs.SplitPlanner(new Grains.Compute.Inputs.InputResolver(new DataRootOptions { Roots = { BenchData.Folder } })).Plan(_spec.Input).Splits.Count;

    [Benchmark]
    public int EngineTwoThreads() => ((GroupByResult)BenchData.RunEngine(_spec, threads: 2).Value!).Rows.Count;

    [Benchmark(Baseline = true)]
    public int HandWritten() => Baseline(_path).Count;

    [Benchmark]
    public int Plinq() => Plinq(_path).Count;

    internal sealed class Group
    {
        public long Count;
        public long Sum;
        public long Max = long.MinValue;
    }

    /// <summary>
    /// Reads 1 MiB blocks, finds lines and commas with vectorized IndexOf, parses the integer columns with
    /// Utf8Parser and keys groups by the origin bytes (decoded only for a new origin). Knows the layout:
    /// date,delay,distance,origin,destination with no quoting.
    /// </summary>
    internal static Dictionary<string, Group> Baseline(string path)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var lookup = groups.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> key = stackalloc char[64];
        using var file = File.OpenHandle(path);
        var buffer = new byte[1 << 20];
        long position = 0;
        var count = 0;
        var header = true;
        while (true)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(count), position);
            position += read;
            count += read;
            var data = buffer.AsSpan(0, count);
            var start = 0;
            while (true)
            {
                var nl = data[start..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    break;
                }

                var line = data.Slice(start, nl);
                start += nl + 1;
                if (header)
                {
                    header = false;
                    continue;
                }

                var c1 = line.IndexOf((byte)',');
                var rest = line[(c1 + 1)..];
                if (!Utf8Parser.TryParse(rest, out long delay, out var used))
                {
                    throw new InvalidDataException("delay is not an integer");
                }

                rest = rest[(used + 1)..];
                if (!Utf8Parser.TryParse(rest, out long distance, out used))
                {
                    throw new InvalidDataException("distance is not an integer");
                }

                rest = rest[(used + 1)..];
                var origin = rest[..rest.IndexOf((byte)',')];
                var chars = Encoding.UTF8.GetChars(origin, key);
                ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, key[..chars], out _);
                group ??= new Group();
                group.Count++;
                group.Sum += delay;
                if (distance > group.Max)
                {
                    group.Max = distance;
                }
            }

            if (read == 0)
            {
                break;
            }

            data[start..].CopyTo(buffer);
            count -= start;
        }

        return groups;
    }

    /// <summary>Idiomatic PLINQ: lines in parallel, split on commas, grouped by origin.</summary>
    internal static Dictionary<string, (long Count, double Mean, long Max)> Plinq(string path) =>
        File.ReadLines(path)
            .Skip(1)
            .AsParallel()
            .Select(line => line.Split(','))
            .GroupBy(f => f[3], StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (g.LongCount(), g.Average(f => (double)long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)), g.Max(f => long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))),
                StringComparer.Ordinal);
}
