using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests.Reference;

/// <summary>Group-by over reference records: lists of values per group, aggregated at the end with LINQ.</summary>
public static class ReferenceGroupBy
{
    public sealed record Result(List<GroupRow> Rows, List<(string Path, long Offset)> Bad, long Records);

    public static Result Run(IEnumerable<RefRecord> records, IReadOnlyList<string> keys, IReadOnlyList<AggregateSpec> aggregates)
    {
        var groups = new Dictionary<string, (string?[] Key, long Rows, Dictionary<string, List<decimal>> Values)>(StringComparer.Ordinal);
        var bad = new List<(string, long)>();
        long count = 0;
        var valueColumns = aggregates.Where(a => a.Column is not null).Select(a => a.Column!).Distinct().ToList();
        foreach (var record in records)
        {
            count++;
            if (record.Error is not null || record.Columns.Values.Any(v => v == "\u0000nested") && keys.Concat(valueColumns).Any(c => record.Columns.GetValueOrDefault(c) == "\u0000nested"))
            {
                bad.Add((record.Path, record.Offset));
                continue;
            }

            var parsed = new Dictionary<string, decimal>();
            var ok = true;
            foreach (var column in valueColumns)
            {
                var text = record.Columns.GetValueOrDefault(column);
                if (string.IsNullOrEmpty(text))
                {
                    continue;
                }

                if (!ReferenceText.TryParseNumber(text, out var number))
                {
                    ok = false;
                    break;
                }

                parsed[column] = number;
            }

            if (!ok || keys.Any(k => !record.Columns.ContainsKey(k)))
            {
                bad.Add((record.Path, record.Offset));
                continue;
            }

            var key = keys.Select(k => record.Columns[k]).ToArray(); // JSON null stays null: its own group
            var id = string.Join("\u0001", key.Select(k => k is null ? "null" : k.Length + ":" + k));
            if (!groups.TryGetValue(id, out var group))
            {
                group = (key, 0, valueColumns.ToDictionary(c => c, _ => new List<decimal>()));
            }

            group.Rows++;
            foreach (var (column, number) in parsed)
            {
                group.Values[column].Add(number);
            }

            groups[id] = group;
        }

        var rows = groups.Values.Select(g => new GroupRow
        {
            Key = g.Key,
            Values = aggregates.Select(a => Aggregate(a, g.Rows, a.Column is null ? null : g.Values[a.Column])).ToArray(),
        }).ToList();
        rows.Sort((x, y) => CompareKeys(x.Key, y.Key));
        return new Result(rows, bad, count);
    }

    /// <summary>Ordinal, column by column; null after every string.</summary>
    public static int CompareKeys(string?[] x, string?[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var c = (x[i], y[i]) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                var (a, b) => string.CompareOrdinal(a, b),
            };
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static decimal? Aggregate(AggregateSpec spec, long rows, List<decimal>? values)
    {
        if (values is null)
        {
            return rows;
        }

        return spec.Function switch
        {
            AggregateFunction.Count => values.Count,
            _ when values.Count == 0 => null,
            AggregateFunction.Sum => values.Sum(),
            AggregateFunction.Min => values.Min(),
            AggregateFunction.Max => values.Max(),
            AggregateFunction.Mean => values.Sum() / values.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(spec)),
        };
    }
}
