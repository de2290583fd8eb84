using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// A UTF-8 byte order mark (EF BB BF, written by Excel's "CSV UTF-8", Notepad and many exporters) is not data: it is
/// never part of a header name, a key or a word, and a quote right after it still opens a quoted field (as Python's
/// <c>csv</c> with <c>utf-8-sig</c> and DuckDB read it). Before, it was stripped from the header record only after the
/// record was framed, so a quoted first field holding a newline broke the header in two, and in files without a header,
/// JSON lines and text it stayed in the first key or word.
/// </summary>
public sealed class ByteOrderMarkTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_quoted_header_field_with_a_newline_right_after_the_mark_is_one_field()
    {
        WriteWithBom("h.csv", "\"ke\ny\",v\n\"a\nb\",1\nx,2\n\"a\nb\",3\n");
        foreach (var perRecord in new[] { false, true })
        {
            foreach (var splitBytes in new long[] { 4, 9, long.MaxValue })
            {
                var result = GroupBy("h.csv", InputFormat.Csv, "ke\ny", hasHeader: true, splitBytes, perRecord);
                Assert.Equal(3, result.Records);
                Assert.Equal(["[a\nb] = [2, 4]", "[x] = [1, 2]"], Rows(result));
            }
        }
    }

    [Fact]
    public void Without_a_header_the_first_key_does_not_hold_the_mark()
    {
        WriteWithBom("n.csv", "\"a\nb\",1\nx,2\n\"a\nb\",3\nx,4\n");
        foreach (var perRecord in new[] { false, true })
        {
            foreach (var splitBytes in new long[] { 3, 5, 11, long.MaxValue })
            {
                var result = GroupBy("n.csv", InputFormat.Csv, "0", hasHeader: false, splitBytes, perRecord, value: "1");
                Assert.Equal(4, result.Records);
                Assert.Equal(["[a\nb] = [2, 4]", "[x] = [2, 6]"], Rows(result));
            }
        }
    }

    [Fact]
    public void A_json_lines_file_with_the_mark_has_no_bad_first_record()
    {
        WriteWithBom("j.jsonl", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n{\"k\":\"a\",\"v\":3}\n");
        foreach (var splitBytes in new long[] { 2, 3, 4, long.MaxValue })
        {
            var result = GroupBy("j.jsonl", InputFormat.JsonLines, "k", hasHeader: false, splitBytes, perRecord: false);
            Assert.Equal(3, result.Records);
            Assert.Equal(["[a] = [2, 4]", "[b] = [1, 2]"], Rows(result));
        }
    }

    [Fact]
    public void The_mark_is_not_part_of_the_first_word()
    {
        WriteWithBom("t.txt", "Hello world\nhello\n");
        foreach (var splitBytes in new long[] { 2, 3, 4, long.MaxValue })
        {
            var spec = new ComputeJobSpec { JobId = "bom", Kind = "word-count", Input = new InputSpec { Path = "t.txt", TargetSplitBytes = splitBytes } };
            var words = ((WordCountResult)Engine.Run(spec, _folder.Path, new Random(5)).Value!).Words;
            Assert.Equal(["hello 2", "world 1"], words.Select(w => $"{w.Word} {w.Count}").Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_range_starting_right_after_the_mark_starts_at_a_record()
    {
        var path = WriteWithBom("r.csv", "a,1\nb,2\n");
        using var reader = new SplitRecordReader(path, 3, long.MaxValue, csvQuotes: true);
        Assert.True(reader.TryRead(out var record, out var offset));
        Assert.Equal(("a,1", 3L), (Encoding.UTF8.GetString(record), offset));

        // A file that only starts with EF BB: no mark, and a range at 3 is inside the first record.
        var other = _folder.Write("s.csv", [0xEF, 0xBB, (byte)'a', (byte)',', (byte)'1', (byte)'\n', (byte)'b', (byte)'\n']);
        using var inside = new SplitRecordReader(other, 3, long.MaxValue, csvQuotes: true);
        Assert.True(inside.TryRead(out record, out offset));
        Assert.Equal(("b", 6L), (Encoding.UTF8.GetString(record), offset));
    }

    private string WriteWithBom(string name, string text) => _folder.Write(name, [.. SplitRecordReader.Utf8ByteOrderMark, .. Encoding.UTF8.GetBytes(text)]);

    private ComputeJobResult GroupBy(string input, InputFormat format, string key, bool hasHeader, long splitBytes, bool perRecord, string value = "v")
    {
        var spec = new ComputeJobSpec
        {
            JobId = "bom",
            Kind = "group-by",
            Input = new InputSpec { Path = input, Format = format, HasHeader = hasHeader, TargetSplitBytes = splitBytes },
            GroupBy = new GroupByOptions { KeyColumns = [key], Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Sum, value)] },
            Rejection = new RejectionPolicy { MaxSamples = 10 },
        };
        var result = Engine.Run(spec, _folder.Path, new Random(3), shards: 2, registry: perRecord ? FastPathTests.PerRecordRegistry() : null);
        Assert.Equal(0, result.BadRecords.Count);
        return result;
    }

    private static List<string> Rows(ComputeJobResult result) => [.. ((GroupByResult)result.Value!).Rows.Select(r => r.ToString())];
}
