using System.Globalization;
using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// A column that is both grouped by and aggregated (group by year, min and max of year; group by a code and count
/// it, in two key parts) is read once and serves both: CSV through the whole-split fast path, JSON Lines through
/// the per-record path. Before, the projection kept only the aggregate's use of the field and every record landed in
/// one group with an empty key.
/// </summary>
public sealed class GroupByColumnReuseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(InputFormat.Csv)]
    [InlineData(InputFormat.JsonLines)]
    public void A_key_column_also_aggregated_groups_and_aggregates_correctly(InputFormat format)
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 3000).Select(_ => (Year: 1990 + rng.Next(12), Code: "c" + rng.Next(5))).ToList();
        var text = new StringBuilder(format == InputFormat.Csv ? "year,code\n" : "");
        foreach (var (year, code) in rows)
        {
            text.Append(format == InputFormat.Csv ? $"{year},{code}\n" : $"{{\"year\":{year},\"code\":\"{code}\"}}\n");
        }

        var file = format == InputFormat.Csv ? "reuse.csv" : "reuse.jsonl";
        _folder.Write(file, Encoding.UTF8.GetBytes(text.ToString()));
        var spec = new ComputeJobSpec
        {
            JobId = "reuse",
            Kind = "group-by",
            Input = new InputSpec { Path = file, Format = format, TargetSplitBytes = 4096 },
            GroupBy = new GroupByOptions
            {
                KeyColumns = ["year", "code", "year"],
                Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Min, "year"), AggregateSpec.Of(AggregateFunction.Sum, "year")],
            },
        };

        var result = (GroupByResult)Engine.Run(spec, _folder.Path).Value!;

        var expected = rows.GroupBy(r => (r.Year, r.Code))
            .Select(g => (Key: $"{g.Key.Year}|{g.Key.Code}|{g.Key.Year}", Count: (decimal)g.Count(), Min: (decimal)g.Key.Year, Sum: (decimal)g.Sum(r => r.Year)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        var actual = result.Rows
            .Select(r => (Key: string.Join("|", r.Key), Count: r.Values[0]!.Value, Min: r.Values[1]!.Value, Sum: r.Values[2]!.Value))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, actual);
        Assert.True(expected.Count > 40, expected.Count.ToString(CultureInfo.InvariantCulture));
    }
}
