using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Issue 17, point 1: a stray quote never swallows the rest of a file. A quote opens a quoted field only at the start
/// of a field (as Python's csv module and DuckDB read RFC 4180); a quoted field that does not close within
/// <see cref="CsvRecordScanner.MaxQuotedFieldBytes"/> or by the end of the file ends its record at the first newline
/// after its opening quote. Checked at scale (the issue's 48 MB shape, many splits, splits starting inside and after
/// the quotes), through the vectorized group-by path and the per-record path, and against Python's csv module.
/// </summary>
public sealed class CsvQuoteTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_issue_reproduction_reads_1001_records()
    {
        // printf 'k,v\nab"c,1\n' > s.csv; for i in $(seq 1000); do echo x,1; done >> s.csv
        var text = new StringBuilder("k,v\nab\"c,1\n");
        for (var i = 0; i < 1000; i++)
        {
            text.Append("x,1\n");
        }

        _folder.Write("s.csv", Encoding.UTF8.GetBytes(text.ToString()));
        foreach (var perRecord in new[] { false, true })
        {
            var result = GroupBy("s.csv", splitBytes: 1 << 20, perRecord);
            Assert.Equal(1001, result.Records);
            Assert.Equal(0, result.BadRecords.Count);
            Assert.Equal(["[ab\"c] = [1, 1]", "[x] = [1000, 1000]"], Rows(result));
        }
    }

    /// <summary>The issue's 48 MB file: a stray quote in the first data row, then 12,000,000 rows.</summary>
    [Fact]
    public void A_stray_quote_in_a_48_MB_file_keeps_all_12_million_rows_in_every_split()
    {
        const int rows = 12_000_000;
        WriteRepeated("big.csv", "k,v\nab\"c,1\n", "x,1\n", rows, tail: "y\"z,2\n\"q\"\"uoted\",3\n");

        foreach (var perRecord in new[] { false, true })
        {
            var result = GroupBy("big.csv", splitBytes: 4 << 20, perRecord);
            Assert.True(result.Splits >= 11, $"{result.Splits} splits");
            Assert.Equal(rows + 3, result.Records);
            Assert.Equal(0, result.BadRecords.Count);
            Assert.Equal(["[ab\"c] = [1, 1]", "[q\"uoted] = [1, 3]", "[x] = [12000000, 12000000]", "[y\"z] = [1, 2]"], Rows(result));
        }
    }

    /// <summary>
    /// Quoted fields that never close — at the start, in the middle and near the end of a 48 MB file — cost one bad record
    /// each: the record ends at the first newline after the opening quote and every row after it is read. Splits of
    /// 512 KiB start inside the open quoted field (within its 1 MiB bound) and after it.
    /// </summary>
    [Fact]
    public void Quoted_fields_that_never_close_cost_one_bad_record_each_at_scale()
    {
        const int rows = 12_000_000;
        var path = _folder.File("open.csv");
        using (var file = new BufferedStream(File.Create(path), 1 << 20))
        {
            file.Write("k,v\n\"first,1\n"u8);
            var row = "x,1\n"u8.ToArray();
            for (var i = 0; i < rows; i++)
            {
                file.Write(row);
                if (i == rows / 2)
                {
                    file.Write("\"middle,1\n"u8);
                }
                else if (i == rows - 1000)
                {
                    file.Write("ok,5\n\"last,1\n"u8); // open until the end of the file, 4 KB later
                }
            }
        }

        foreach (var perRecord in new[] { false, true })
        {
            var result = GroupBy("open.csv", splitBytes: 512 << 10, perRecord);
            Assert.Equal(rows + 4, result.Records);
            Assert.Equal(3, result.BadRecords.Count);
            Assert.Equal(["[ok] = [1, 5]", "[x] = [12000000, 12000000]"], Rows(result));
            var first = result.BadRecords.Samples[0];
            Assert.Equal(4, first.Offset);
            Assert.Contains("quoted field is not closed", first.Reason, StringComparison.Ordinal);
            Assert.Equal(3, result.BadRecords.Samples.Count);
        }
    }

    /// <summary>
    /// Random bytes dense in quotes, delimiters, CR and LF: the reader (buffers of 16 bytes to 1 MiB) and the planner's
    /// cut points frame them exactly as the byte-at-a-time reference does, for quoted-field bounds from 1 byte up; the
    /// records of all planned splits, read split by split, are the whole file's records.
    /// </summary>
    [Theory]
    [InlineData(1, ',')]
    [InlineData(2, ',')]
    [InlineData(3, ';')]
    [InlineData(4, '\t')]
    public void Reader_and_planner_frame_quote_dense_bytes_as_the_reference(int seed, char delimiter)
    {
        var rng = new Random(seed);
        var alphabet = "aaaaaab\"\"\n\r" + new string(delimiter, 3);
        var bytes = new byte[6000];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)alphabet[rng.Next(alphabet.Length)];
        }

        var path = _folder.Write($"dense{seed}.csv", bytes);
        foreach (var bound in new[] { 1, 2, 3, 7, 40, 300, 1 << 20 })
        {
            var expected = ReferenceCsv.Records(bytes, (byte)delimiter, bound).Select(r => (r.Offset, Encoding.Latin1.GetString(r.Bytes))).ToList();
            foreach (var buffer in new[] { 16, 61, 1 << 20 })
            {
                Assert.Equal(expected, ReadRecords(path, 0, long.MaxValue, delimiter, bound, buffer));
            }

            foreach (var target in new long[] { 1, 5, 64, 999 })
            {
                var cuts = SplitPlanner.CsvCutPoints(() => new FileRangeReader(path), 0, target, (byte)delimiter, bound).Where(c => c < bytes.Length).ToList();
                Assert.Equal(ExpectedCuts(bytes, (byte)delimiter, bound, target), cuts);
                var split = new List<(long, string)>();
                var start = 0L;
                foreach (var end in cuts.Append(bytes.Length))
                {
                    split.AddRange(ReadRecords(path, start, end, delimiter, bound, 64));
                    start = end;
                }

                Assert.Equal(expected, split);
            }
        }
    }

    /// <summary>
    /// The planner's cuts from the bytes near each cut alone (<see cref="SplitPlanner.NearCutPoints"/>): over bytes with a
    /// few quotes (quoted fields with newlines and delimiters, stray quotes, unclosed ones), for quoted-field bounds from
    /// 1 byte up and targets from 1 byte up, it either gives up (a quote within reach of a cut) or gives exactly the
    /// byte-at-a-time reference's cuts — and it must do each many times here, or the test proves nothing.
    /// </summary>
    [Theory]
    [InlineData(1, ',')]
    [InlineData(2, ',')]
    [InlineData(3, ';')]
    public void Cuts_from_the_bytes_near_each_cut_are_the_reference_cuts_or_none(int seed, char delimiter)
    {
        var rng = new Random(seed);
        var bytes = new byte[20_000];
        for (var i = 0; i < bytes.Length; i++)
        {
            var r = rng.Next(1000);
            bytes[i] = r < 2 ? (byte)'"' : r < 100 ? (byte)'\n' : r < 110 ? (byte)'\r' : r < 200 ? (byte)delimiter : (byte)'a';
        }

        var path = _folder.Write($"near{seed}.csv", bytes);
        int kept = 0, refused = 0;
        foreach (var bound in new[] { 1, 2, 3, 7, 40, 300, 5000 })
        {
            foreach (var target in new long[] { 1, 5, 64, 999, 2500, 4096, 7000, 12_000 })
            {
                var near = SplitPlanner.NearCutPoints(() => new FileRangeReader(path), 0, bytes.Length, target, bound);
                if (near is null)
                {
                    refused++;
                    continue;
                }

                kept++;
                Assert.Equal(ExpectedCuts(bytes, (byte)delimiter, bound, target), near);
            }
        }

        Assert.True(kept >= 5 && refused >= 5, $"kept {kept}, refused {refused}: the bytes do not exercise both outcomes");
    }

    /// <summary>
    /// A generated file with stray quotes inside fields (<c>ab"c</c>, <c>x""y</c>, <c> "sp"</c>), quoted fields holding
    /// delimiters, CRLF and escaped quotes, and rows of the wrong length: the groups and counts are the ones Python's csv
    /// module reads, at several split sizes, through both paths.
    /// </summary>
    [Fact]
    public void Stray_and_quoted_fields_read_as_pythons_csv_module_reads_them()
    {
        var rng = new Random(17);
        string[] keys = ["plain", "ab\"c", "x\"\"y", "end\"", " \"sp\"", "\"quoted, with comma\"", "\"two\r\nlines\"", "\"say \"\"hi\"\"\"", "\"\"", "ü\"ber", "a'b"];
        var text = new StringBuilder("key,value,note\n");
        for (var i = 0; i < 200_000; i++)
        {
            var key = Generators.Pick(rng, keys);
            text.Append(rng.Next(500) switch
            {
                0 => $"{key},{i % 10}",                       // too few fields
                1 => $"{key},{i % 10},n,extra",               // too many
                2 => "",                                      // an empty line
                _ => $"{key},{i % 10},n{rng.Next(1000)}",
            });
            text.Append(rng.Next(4) == 0 ? "\r\n" : "\n");
        }

        var path = _folder.Write("py.csv", Encoding.UTF8.GetBytes(text.ToString()));
        var python = PythonCsvCounts(path);
        Assert.True(python.Counts.Count == keys.Length, $"python saw {python.Counts.Count} keys");
        foreach (var perRecord in new[] { false, true })
        {
            foreach (var splitBytes in new long[] { 100_000, 1 << 20, long.MaxValue })
            {
                var result = GroupBy("py.csv", splitBytes, perRecord, key: "key", value: "value");
                Assert.Equal(python.Rows, result.Records);
                Assert.Equal(python.Bad, result.BadRecords.Count);
                var counts = ((GroupByResult)result.Value!).Rows.ToDictionary(r => r.Key[0]!, r => (long)r.Values[0]!.Value, StringComparer.Ordinal);
                Assert.Equal(python.Counts.OrderBy(p => p.Key, StringComparer.Ordinal), counts.OrderBy(p => p.Key, StringComparer.Ordinal));
            }
        }
    }

    private ComputeJobResult GroupBy(string input, long splitBytes, bool perRecord, string key = "k", string value = "v")
    {
        var spec = new ComputeJobSpec
        {
            JobId = "quotes",
            Kind = "group-by",
            Input = new InputSpec { Path = input, Format = InputFormat.Csv, TargetSplitBytes = splitBytes },
            GroupBy = new GroupByOptions { KeyColumns = [key], Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Sum, value)] },
            Rejection = new RejectionPolicy { MaxSamples = 10 },
        };
        return Engine.Run(spec, _folder.Path, new Random(3), shards: 2, registry: perRecord ? FastPathTests.PerRecordRegistry() : null);
    }

    private static List<string> Rows(ComputeJobResult result) => [.. ((GroupByResult)result.Value!).Rows.Select(r => r.ToString())];

    private void WriteRepeated(string name, string head, string row, int count, string tail)
    {
        using var file = new BufferedStream(File.Create(_folder.File(name)), 1 << 20);
        file.Write(Encoding.UTF8.GetBytes(head));
        var bytes = Encoding.UTF8.GetBytes(row);
        for (var i = 0; i < count; i++)
        {
            file.Write(bytes);
        }

        file.Write(Encoding.UTF8.GetBytes(tail));
    }

    private static List<(long, string)> ReadRecords(string path, long start, long end, char delimiter, int bound, int buffer)
    {
        var records = new List<(long, string)>();
        using var reader = new SplitRecordReader(path, start, end, csvQuotes: true, bufferSize: buffer, csvDelimiter: delimiter) { MaxQuotedFieldBytes = bound };
        while (reader.TryRead(out var record, out var offset))
        {
            if (!record.IsEmpty)
            {
                records.Add((offset, Encoding.Latin1.GetString(record)));
            }
        }

        return records;
    }

    /// <summary>The planner's rule on the reference's record ends: after each target's last byte, the first record end at or past it.</summary>
    private static List<long> ExpectedCuts(byte[] file, byte delimiter, int bound, long target)
    {
        var ends = ReferenceCsv.RecordEnds(file, delimiter, bound);
        var cuts = new List<long>();
        var searchFrom = target - 1;
        foreach (var end in ends)
        {
            if (end >= searchFrom && end + 1 < file.Length)
            {
                var cut = end + 1;
                cuts.Add(cut);
                searchFrom = ((cut / target) + 1) * target - 1;
            }
        }

        return cuts;
    }

    private static (long Rows, long Bad, Dictionary<string, long> Counts) PythonCsvCounts(string path)
    {
        const string script = """
            import csv, json, sys
            counts, rows, bad = {}, 0, 0
            with open(sys.argv[1], newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader)
                for row in reader:
                    if not row:
                        continue
                    rows += 1
                    if len(row) != len(header):
                        bad += 1
                        continue
                    counts[row[0]] = counts.get(row[0], 0) + 1
            print(json.dumps({"rows": rows, "bad": bad, "counts": counts}))
            """;
        var start = new ProcessStartInfo("python3", ["-c", script, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("This test compares with Python's csv module: install python3 (./test.sh does on Debian).", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, errors.Result);
            using var json = JsonDocument.Parse(output);
            var root = json.RootElement;
            return (root.GetProperty("rows").GetInt64(), root.GetProperty("bad").GetInt64(),
                root.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal));
        }
    }
}
