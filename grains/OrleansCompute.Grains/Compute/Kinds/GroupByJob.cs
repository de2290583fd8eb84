using System.Text;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// <c>group-by</c> (and <c>top-k</c>) over CSV or JSON Lines: groups records by one or more key columns
/// and aggregates value columns (count, sum, min, max, mean). Partial: encoded key (<see cref="GroupKey"/>)
/// → <see cref="GroupAccumulator"/>. A value column that is empty, null or absent is missing (ignored);
/// any other value that is not a number makes the record bad, as does an absent key column (JSON).
/// A JSON null key is a group of its own (a null in <see cref="GroupRow.Key"/>), apart from the empty string;
/// numbers and booleans group by their JSON text. A CSV field has no null: an empty one is the empty string.
/// </summary>
public sealed class GroupByJob : ComputeJob<string, GroupAccumulator, GroupByResult>, ISplitMapper<string, GroupAccumulator>
{
    [ThreadStatic]
    private static char[]? s_key;

    private readonly string[] _keyColumns;
    private readonly string[] _valueColumns;
    private readonly string[] _columns;     // distinct: a column both grouped by and aggregated is read once
    private readonly int[] _keyColumn;      // per key part, its index in _columns
    private readonly int[] _valueColumn;    // per value column, its index in _columns
    private readonly AggregateSpec[] _aggregates;
    private readonly int[] _aggregateColumn;
    private readonly int _orderBy = -1;
    private readonly TopKOptions? _topK;
    private readonly InputFormat _format;
    private readonly char _delimiter;

    public GroupByJob(ComputeJobSpec spec, bool requireTopK)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = spec.GroupBy ?? throw new ArgumentException($"Job kind '{spec.Kind}' needs GroupBy options.", nameof(spec));
        if (options.KeyColumns.Count == 0)
        {
            throw new ArgumentException("GroupBy.KeyColumns must name at least one column.", nameof(spec));
        }

        _keyColumns = [.. options.KeyColumns];
        _aggregates = options.Aggregates.Count > 0 ? [.. options.Aggregates] : [AggregateSpec.Of(AggregateFunction.Count)];
        var values = new List<string>();
        _aggregateColumn = new int[_aggregates.Length];
        for (var a = 0; a < _aggregates.Length; a++)
        {
            var column = _aggregates[a].Column;
            if (column is null)
            {
                if (_aggregates[a].Function != AggregateFunction.Count)
                {
                    throw new ArgumentException($"Aggregate {_aggregates[a].Function} needs a column.", nameof(spec));
                }

                _aggregateColumn[a] = -1;
                continue;
            }

            var index = values.IndexOf(column);
            if (index < 0)
            {
                index = values.Count;
                values.Add(column);
            }

            _aggregateColumn[a] = index;
        }

        _valueColumns = [.. values];
        var columns = new List<string>();
        _keyColumn = [.. _keyColumns.Select(c => IndexIn(columns, c))];
        _valueColumn = [.. _valueColumns.Select(c => IndexIn(columns, c))];
        _columns = [.. columns];

        _topK = spec.TopK;
        _format = spec.Input.Format;
        _delimiter = spec.Input.Delimiter;
        if (requireTopK && _topK is null)
        {
            throw new ArgumentException($"Job kind '{spec.Kind}' needs TopK options.", nameof(spec));
        }

        if (_topK is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(_topK.K, 1, "TopK.K");
            _orderBy = Array.FindIndex(_aggregates, a => string.Equals(a.Name, _topK.OrderBy, StringComparison.OrdinalIgnoreCase));
            if (_orderBy < 0)
            {
                throw new ArgumentException(
                    $"TopK.OrderBy '{_topK.OrderBy}' is not one of the aggregates ({string.Join(", ", Array.ConvertAll(_aggregates, a => a.Name))}).", nameof(spec));
            }
        }
    }

    public override IReadOnlyList<string> Columns => _columns;

    /// <summary>The index of <paramref name="column"/> in <paramref name="columns"/>, added at the end when it is not there.</summary>
    private static int IndexIn(List<string> columns, string column)
    {
        var index = columns.IndexOf(column);
        if (index < 0)
        {
            index = columns.Count;
            columns.Add(column);
        }

        return index;
    }

    public override IEqualityComparer<string> KeyComparer => StringComparer.Ordinal;

    public override void Map(in ComputeRecord record, Combiner<string, GroupAccumulator> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var keys = _keyColumns.Length;
        var valueCount = _valueColumns.Length;

        // Parse every value before touching the partial, so a bad record leaves no trace.
        Span<decimal> values = valueCount <= 16 ? stackalloc decimal[valueCount] : new decimal[valueCount];
        Span<bool> present = valueCount <= 16 ? stackalloc bool[valueCount] : new bool[valueCount];
        for (var v = 0; v < valueCount; v++)
        {
            var column = _valueColumn[v];
            if (record.IsEmpty(column))
            {
                continue;
            }

            if (!record.TryGetDecimal(column, out values[v]))
            {
                output.Reject($"column '{_valueColumns[v]}': '{Truncate(record.GetString(column))}' is not a number");
                return;
            }

            present[v] = true;
        }

        var buffer = s_key ??= new char[256];
        var length = 0;
        for (var k = 0; k < keys; k++)
        {
            var kind = record.GetKind(_keyColumn[k]);
            if (kind == ColumnValueKind.Missing)
            {
                output.Reject($"key column '{_keyColumns[k]}' is missing");
                return;
            }

            var bytes = record.GetColumn(_keyColumn[k]);
            var needed = length + 2 + Encoding.UTF8.GetMaxCharCount(bytes.Length);
            if (needed > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
                s_key = buffer;
            }

            if (kind == ColumnValueKind.Null)
            {
                // GroupKey's form of null: one mark for a one-column key, two for a part of a longer one.
                buffer[length++] = GroupKey.NullMark;
                if (keys == 1)
                {
                    break;
                }

                buffer[length++] = GroupKey.NullMark;
                continue;
            }

            if (keys == 1)
            {
                length = Encoding.UTF8.GetChars(bytes, buffer);
                if (length > 0 && buffer[0] == GroupKey.NullMark)
                {
                    // A value that starts with the mark gets one more in front (GroupKey.EncodeOne).
                    buffer.AsSpan(0, length).CopyTo(buffer.AsSpan(1));
                    buffer[0] = GroupKey.NullMark;
                    length++;
                }

                break;
            }

            var chars = Encoding.UTF8.GetChars(bytes, buffer.AsSpan(length + 2));
            buffer[length] = (char)(chars >> 16);
            buffer[length + 1] = (char)(chars & 0xFFFF);
            length += 2 + chars;
        }

        ref var group = ref output.GetValueRef(buffer.AsSpan(0, length), out var exists);
        if (!exists)
        {
            group.Columns = new ValueStats[valueCount];
        }

        group.Rows++;
        var stats = group.Columns;
        for (var v = 0; v < valueCount; v++)
        {
            if (present[v])
            {
                stats[v].Add(values[v]);
            }
        }
    }

    /// <summary>CSV inputs: a whole-split loop with UTF-8 keyed groups and integer sums (see <see cref="CsvGroupBySplit"/>).</summary>
    bool ISplitMapper<string, GroupAccumulator>.TryMapSplit(InputSplit split, SplitRecordReader reader, ComputePartial<string, GroupAccumulator> partial, Combiner<string, GroupAccumulator> combiner, int maxSamples, CancellationToken cancellationToken)
    {
        if (_format != InputFormat.Csv)
        {
            return false;
        }

        new CsvGroupBySplit(_keyColumns, _valueColumns, _columns, _keyColumn, _valueColumn, _delimiter).Run(split, reader, partial, combiner, maxSamples, cancellationToken);
        return true;
    }

    public override GroupAccumulator Combine(GroupAccumulator accumulated, GroupAccumulator value)
    {
        accumulated.Rows += value.Rows;
        for (var i = 0; i < accumulated.Columns.Length; i++)
        {
            accumulated.Columns[i].Merge(value.Columns[i]);
        }

        return accumulated;
    }

    public override GroupByResult Finish(ComputePartial<string, GroupAccumulator> merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var rows = new GroupRow[merged.Entries.Count];
        var n = 0;
        foreach (var (key, group) in merged.Entries)
        {
            var values = new decimal?[_aggregates.Length];
            for (var a = 0; a < _aggregates.Length; a++)
            {
                values[a] = Evaluate(_aggregates[a].Function, _aggregateColumn[a], group);
            }

            rows[n++] = new GroupRow { Key = GroupKey.Decode(key, _keyColumns.Length), Values = values };
        }

        List<GroupRow> selected;
        if (_topK is null)
        {
            Array.Sort(rows, static (x, y) => GroupKey.Compare(x.Key, y.Key));
            selected = [.. rows];
        }
        else
        {
            var orderBy = _orderBy;
            var descending = _topK.Descending;
            selected = TopK.Select(rows, _topK.K, Comparer<GroupRow>.Create((x, y) =>
            {
                var byValue = CompareValues(x.Values[orderBy], y.Values[orderBy], descending);
                return byValue != 0 ? byValue : GroupKey.Compare(x.Key, y.Key);
            }));
        }

        return new GroupByResult
        {
            KeyColumns = [.. _keyColumns],
            Aggregates = [.. Array.ConvertAll(_aggregates, a => a.Name)],
            Rows = selected,
            Groups = rows.Length,
        };
    }

    private static decimal? Evaluate(AggregateFunction function, int column, GroupAccumulator group)
    {
        if (column < 0)
        {
            return group.Rows;
        }

        var stats = group.Columns[column];
        return function switch
        {
            AggregateFunction.Count => stats.Count,
            _ when stats.Count == 0 => null,
            AggregateFunction.Sum => stats.Sum,
            AggregateFunction.Min => stats.Min,
            AggregateFunction.Max => stats.Max,
            AggregateFunction.Mean => stats.Sum / stats.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(function)),
        };
    }

    // Missing values sort after every value, in either direction.
    private static int CompareValues(decimal? x, decimal? y, bool descending)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : 1) : -1;
        }

        return descending ? y.Value.CompareTo(x.Value) : x.Value.CompareTo(y.Value);
    }

    internal static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
