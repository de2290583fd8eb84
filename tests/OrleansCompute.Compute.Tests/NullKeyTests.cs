using System.Text;
using System.Text.Json;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Kinds;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Issue 17, point 3: a JSON <c>null</c> key is a group of its own (as in DuckDB and pandas), not merged with the empty
/// string; it is a null in <see cref="GroupRow.Key"/> and sorts after every string. A CSV field has no null: an empty
/// one (quoted or not) is the empty string, and the text <c>null</c> is just text.
/// </summary>
public sealed class NullKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_json_null_key_is_its_own_group_apart_from_the_empty_string()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            lines.Append((i % 6) switch
            {
                0 => """{"k": null, "v": 1}""",
                1 => """{"k": "", "v": 2}""",
                2 => """{"k": "a", "v": 3}""",
                3 => """{"k": "\uffff", "v": 4}""",          // the mark GroupKey uses for null, as a value
                4 => """{"k": "\uffff\uffffnull", "v": 5}""",
                _ => """{"v": 6, "k": null}""",
            }).Append('\n');
        }

        _folder.Write("nulls.jsonl", Encoding.UTF8.GetBytes(lines.ToString()));
        foreach (var splitBytes in new long[] { 7, 333, long.MaxValue })
        {
            var rows = GroupBy("nulls.jsonl", InputFormat.JsonLines, ["k"], splitBytes);
            Assert.Equal(
                [
                    ("[\"\"]", 50m, 100m),
                    ("[\"a\"]", 50m, 150m),
                    ("[\"\\uFFFF\"]", 50m, 200m),
                    ("[\"\\uFFFF\\uFFFFnull\"]", 50m, 250m),
                    ("[null]", 100m, 350m),
                ],
                rows);
        }
    }

    [Fact]
    public void Null_and_empty_stay_apart_in_every_part_of_a_several_column_key()
    {
        string[] values = ["null", "\"\"", "\"x\""];
        var lines = new StringBuilder();
        foreach (var k in values)
        {
            foreach (var j in values)
            {
                lines.Append($$"""{"k": {{k}}, "j": {{j}}, "v": 1}""").Append('\n');
            }
        }

        _folder.Write("pairs.jsonl", Encoding.UTF8.GetBytes(lines.ToString()));
        var rows = GroupBy("pairs.jsonl", InputFormat.JsonLines, ["k", "j"], splitBytes: 40);
        Assert.Equal(
            ["|", "|x", "|null", "x|", "x|x", "x|null", "null|", "null|x", "null|null"],
            rows.Select(r => string.Join("|", JsonSerializer.Deserialize<string?[]>(r.Key)!.Select(k => k ?? "null"))));
        Assert.All(rows, r => Assert.Equal(1m, r.Count));
    }

    [Fact]
    public void An_empty_csv_field_is_the_empty_string_and_null_is_text()
    {
        // The U+FFFF rows check that a key starting with GroupKey's mark survives the CSV fast path's encoding.
        var csv = "k,v\n,1\n\"\",2\nnull,3\n\uffff,4\n\uffffz,5\n" + string.Concat(Enumerable.Repeat(",1\n", 100));
        _folder.Write("empty.csv", Encoding.UTF8.GetBytes(csv));
        foreach (var perRecord in new[] { false, true })
        {
            var rows = GroupBy("empty.csv", InputFormat.Csv, ["k"], splitBytes: 50, perRecord);
            Assert.Equal([("[\"\"]", 102m, 103m), ("[\"null\"]", 1m, 3m), ("[\"\\uFFFF\"]", 1m, 4m), ("[\"\\uFFFFz\"]", 1m, 5m)], rows);
        }
    }

    [Fact]
    public void Group_keys_encode_null_apart_from_every_string_and_decode_back()
    {
        string?[] values = [null, "", "a", "\uffff", "\uffff\uffff", "\uffffa", "a\uffff", "\0"];
        var single = values.Select(v => GroupKey.EncodeOne(v)).ToList();
        Assert.Equal(values.Length, single.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(values, single.Select(k => GroupKey.Decode(k, 1)[0]));
        Assert.Equal("a", GroupKey.EncodeOne("a")); // ordinary values are their own key

        var pairs = values.SelectMany(x => values.Select(y => new[] { x, y })).ToList();
        var encoded = pairs.Select(p => GroupKey.Encode(p)).ToList();
        Assert.Equal(pairs.Count, encoded.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(pairs, encoded.Select(k => GroupKey.Decode(k, 2)));
        Assert.True(GroupKey.Compare([null], ["\uffff\uffff"]) > 0);
        Assert.True(GroupKey.Compare(["a", null], ["a", "b"]) > 0);
    }

    /// <summary>The rows as (key as a JSON array, count, sum of v).</summary>
    private List<(string Key, decimal Count, decimal Sum)> GroupBy(string input, InputFormat format, List<string> keys, long splitBytes, bool perRecord = false)
    {
        var spec = new ComputeJobSpec
        {
            JobId = "nulls",
            Kind = "group-by",
            Input = new InputSpec { Path = input, Format = format, TargetSplitBytes = splitBytes },
            GroupBy = new GroupByOptions { KeyColumns = keys, Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Sum, "v")] },
        };
        var result = Engine.Run(spec, _folder.Path, new Random(11), shards: 3, registry: perRecord ? FastPathTests.PerRecordRegistry() : null);
        Assert.Equal(0, result.BadRecords.Count);
        return [.. ((GroupByResult)result.Value!).Rows.Select(r => (JsonSerializer.Serialize(r.Key), r.Values[0]!.Value, r.Values[1]!.Value))];
    }
}
