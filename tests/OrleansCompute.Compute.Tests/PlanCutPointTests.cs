using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Large quote-free CSV files are planned without the quote-aware pass over the whole file: from the bytes just before
/// each cut (large splits), or by several readers at once, each over its own stretch (small splits). The cuts must be
/// exactly the ones the single quote-aware pass finds (so a split never starts inside a record), and a quote where
/// either looks must send the plan back to that pass.
/// </summary>
public sealed class PlanCutPointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Parallel_cut_points_of_a_quote_free_file_are_the_single_pass_cut_points(int seed)
    {
        var rng = new Random(seed);
        var csv = new StringBuilder("a,b,c\n");
        while (csv.Length < 400_000)
        {
            var line = rng.Next(50) switch
            {
                0 => "",                                             // an empty line
                1 => new string('x', rng.Next(3_000, 40_000)),       // a record longer than many targets
                _ => $"{rng.Next()},{new string('y', rng.Next(0, 80))},{rng.Next(100)}",
            };
            csv.Append(line).Append(rng.Next(4) == 0 ? "\r\n" : "\n");
        }

        if (seed == 2)
        {
            csv.Append("9,last,no newline");
        }

        var path = _folder.Write($"p{seed}.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        var length = new FileInfo(path).Length;
        const long start = 6; // after the header
        foreach (var target in new long[] { 1, 7, 100, 4096, 50_000, 1 << 20 })
        {
            var single = SplitPlanner.CsvCutPoints(() => new FileRangeReader(path), start, target, (byte)',').Where(c => c < length).ToList();
            foreach (var readers in new[] { 2, 3, 4 })
            {
                var parallel = SplitPlanner.QuoteFreeCutPoints(() => new FileRangeReader(path), start, length, target, readers);
                Assert.NotNull(parallel);
                Assert.Equal(single, parallel);
            }

            // Cut from the bytes before each cut: windows shorter and longer than the records and than the target
            // (overlapping windows are read once).
            foreach (var bound in new[] { 1, 100, 20_000, 1 << 20 })
            {
                var near = SplitPlanner.NearCutPoints(() => new FileRangeReader(path), start, length, target, bound);
                Assert.NotNull(near);
                Assert.Equal(single, near);
            }
        }
    }

    [Fact]
    public void A_failing_read_in_any_reader_surfaces_as_its_own_exception()
    {
        var path = _folder.Write("fail.csv", Encoding.UTF8.GetBytes("id,name\n" + string.Join('\n', Enumerable.Range(0, 20_000).Select(i => $"{i},value {i}")) + "\n"));
        var length = new FileInfo(path).Length;
        foreach (var failAt in new[] { 0L, length / 2, length - 10 })
        {
            var error = Assert.Throws<IOException>(() => SplitPlanner.QuoteFreeCutPoints(() => new FailingReader(path, failAt), 8, length, 10_000, readers: 3));
            Assert.Contains("disk gone", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A file reader whose reads fail once they reach <paramref name="failAt"/>.</summary>
    private sealed class FailingReader(string path, long failAt) : IRangeReader
    {
        private readonly FileRangeReader _inner = new(path);

        public long Length => _inner.Length;

        public int Read(Span<byte> buffer, long offset) =>
            offset + buffer.Length > failAt ? throw new IOException("disk gone") : _inner.Read(buffer, offset);

        public void Dispose() => _inner.Dispose();
    }

    [Fact]
    public void A_quote_in_any_reader_s_stretch_sends_the_plan_back_to_the_quote_aware_pass()
    {
        var lines = Enumerable.Range(0, 20_000).Select(i => $"{i},value {i}").ToList();
        var quoted = lines.ToList();
        quoted[15_000] = "15000,\"a quoted\nvalue\"";
        var plain = _folder.Write("plain.csv", Encoding.UTF8.GetBytes("\"id\",\"name\"\n" + string.Join('\n', lines) + "\n")); // quotes in the header only
        var withQuote = _folder.Write("quoted.csv", Encoding.UTF8.GetBytes("id,name\n" + string.Join('\n', quoted) + "\n"));

        Assert.NotNull(SplitPlanner.QuoteFreeCutPoints(() => new FileRangeReader(plain), 12, new FileInfo(plain).Length, 10_000, readers: 3));
        foreach (var readers in new[] { 2, 3, 4 })
        {
            Assert.Null(SplitPlanner.QuoteFreeCutPoints(() => new FileRangeReader(withQuote), 8, new FileInfo(withQuote).Length, 10_000, readers));
        }

        // Near each cut: the quoted newline lies at about byte 247,800 and a cut at about 250,000, so the window before
        // that cut reaches back to the quote only with the larger bound.
        Assert.NotNull(SplitPlanner.NearCutPoints(() => new FileRangeReader(plain), 12, new FileInfo(plain).Length, 50_000));
        Assert.NotNull(SplitPlanner.NearCutPoints(() => new FileRangeReader(withQuote), 8, new FileInfo(withQuote).Length, 50_000, maxQuotedFieldBytes: 1_000));
        Assert.Null(SplitPlanner.NearCutPoints(() => new FileRangeReader(withQuote), 8, new FileInfo(withQuote).Length, 50_000, maxQuotedFieldBytes: 60_000));
    }
}
