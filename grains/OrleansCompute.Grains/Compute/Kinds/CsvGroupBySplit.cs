using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>
/// The fast path of <see cref="GroupByJob"/> over one CSV split. Same rules as the per-record
/// <see cref="GroupByJob.Map"/> (same bad records, same exact results), but: groups are found by their key's
/// UTF-8 bytes in a <see cref="Utf8KeyTable{TValue}"/> (a string is made once per group, at the end), and
/// value columns are summed as <see cref="long"/> while every value is an integer of up to 18 digits and the
/// sum does not overflow — switching that column of that group to <see cref="decimal"/> the moment it is not —
/// so the common case does no decimal arithmetic. Converted to <see cref="GroupAccumulator"/>s at the end.
/// </summary>
internal sealed class CsvGroupBySplit
{
    private readonly string[] _keyColumns;
    private readonly string[] _valueColumns;
    private readonly IReadOnlyList<string> _columns;
    private readonly char _delimiter;
    private readonly int _values;
    private readonly Utf8KeyTable<int> _groups = new(256);
    private long[] _rows = new long[64];
    private FastStats[] _stats;

    public CsvGroupBySplit(string[] keyColumns, string[] valueColumns, IReadOnlyList<string> columns, char delimiter)
    {
        _keyColumns = keyColumns;
        _valueColumns = valueColumns;
        _columns = columns;
        _delimiter = delimiter;
        _values = valueColumns.Length;
        _stats = new FastStats[64 * Math.Max(1, _values)];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long loop per split: optimize it at once, not through OSR
    public void Run(InputSplit split, SplitRecordReader reader, ComputePartial<string, GroupAccumulator> partial, Combiner<string, GroupAccumulator> combiner, int maxSamples, CancellationToken cancellationToken)
    {
        var keys = _keyColumns.Length;
        var projector = new CsvProjector(split, _columns, _delimiter);
        var columns = new ColumnBuffer(_columns.Count);
        var longs = new long[_values];
        var decimals = new decimal[_values];
        var kinds = new ValueKind[_values];
        var keyBuffer = new byte[256];
        var bad = partial.BadRecords;
        long records = 0;
        while (reader.TryRead(out var bytes, out var offset))
        {
            if (bytes.IsEmpty)
            {
                continue; // empty lines separate nothing in CSV
            }

            if ((++records & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if ((reader.LastRecordHasQuote || !projector.TryProjectUnquoted(bytes, columns)) && !projector.TryProject(bytes, columns, out var error))
            {
                BadRecords.Add(bad, maxSamples, split.Path, offset, error!);
                continue;
            }

            // Parse every value before touching the groups, so a bad record leaves no trace.
            var slots = columns.Slots;
            string? rejection = null;
            for (var v = 0; v < _values; v++)
            {
                var text = Column(bytes, columns, slots[keys + v]);
                if (text.IsEmpty)
                {
                    kinds[v] = ValueKind.Missing;
                }
                else if (TryParseInteger(text, out longs[v]))
                {
                    kinds[v] = ValueKind.Integer;
                }
                else if (DecimalText.TryParse(text, out decimals[v]))
                {
                    kinds[v] = ValueKind.Decimal;
                }
                else
                {
                    rejection = $"column '{_valueColumns[v]}': '{GroupByJob.Truncate(Encoding.UTF8.GetString(text))}' is not a number";
                    break;
                }
            }

            if (rejection is not null)
            {
                BadRecords.Add(bad, maxSamples, split.Path, offset, rejection);
                continue;
            }

            ReadOnlySpan<byte> key;
            if (keys == 1)
            {
                key = Column(bytes, columns, slots[0]);
            }
            else
            {
                var length = 0;
                for (var k = 0; k < keys; k++)
                {
                    var text = Column(bytes, columns, slots[k]);
                    if (keyBuffer.Length < length + 4 + text.Length)
                    {
                        Array.Resize(ref keyBuffer, Math.Max(keyBuffer.Length * 2, length + 4 + text.Length));
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(keyBuffer.AsSpan(length), text.Length);
                    text.CopyTo(keyBuffer.AsSpan(length + 4));
                    length += 4 + text.Length;
                }

                key = keyBuffer.AsSpan(0, length);
            }

            ref var group = ref _groups.GetValueRef(key, out var exists);
            if (!exists)
            {
                group = _groups.Count - 1;
                EnsureCapacity(_groups.Count);
            }

            _rows[group]++;
            if (_values > 0)
            {
                var stats = _stats.AsSpan(group * _values, _values);
                for (var v = 0; v < _values; v++)
                {
                    switch (kinds[v])
                    {
                        case ValueKind.Integer:
                            stats[v].Add(longs[v]);
                            break;
                        case ValueKind.Decimal:
                            stats[v].Add(decimals[v]);
                            break;
                    }
                }
            }
        }

        partial.Records = records;
        Flush(combiner);
    }

    /// <summary>The same integers <see cref="DecimalText"/>'s own fast path takes: optional '-', 1 to 18 digits, spaces/tabs around.</summary>
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text[0] is (byte)' ' or (byte)'\t' || text[^1] is (byte)' ' or (byte)'\t')
        {
            text = text.Trim(" \t"u8);
        }

        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is 0 or > 18)
        {
            return false;
        }

        long whole = 0;
        foreach (var d in digits)
        {
            var digit = (uint)(d - '0');
            if (digit > 9)
            {
                return false;
            }

            whole = (whole * 10) + digit;
        }

        value = negative ? -whole : whole;
        return true;
    }

    private static ReadOnlySpan<byte> Column(ReadOnlySpan<byte> record, ColumnBuffer columns, ColumnBuffer.Slot slot) =>
        slot.InScratch ? columns.Scratch.AsSpan(slot.Start, slot.Length) : record.Slice(slot.Start, slot.Length);

    private void EnsureCapacity(int groups)
    {
        if (groups > _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
            Array.Resize(ref _stats, _rows.Length * Math.Max(1, _values));
        }
    }

    private void Flush(Combiner<string, GroupAccumulator> combiner)
    {
        var keys = _keyColumns.Length;
        var parts = new string[keys];
        for (var g = 0; g < _groups.Count; g++)
        {
            var bytes = _groups.KeyAt(g);
            string key;
            if (keys == 1)
            {
                key = Encoding.UTF8.GetString(bytes);
            }
            else
            {
                var at = 0;
                for (var k = 0; k < keys; k++)
                {
                    var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
                    parts[k] = Encoding.UTF8.GetString(bytes.Slice(at + 4, length));
                    at += 4 + length;
                }

                key = GroupKey.Encode(parts);
            }

            var columns = new ValueStats[_values];
            var index = _groups.ValueAt(g);
            for (var v = 0; v < _values; v++)
            {
                columns[v] = _stats[(index * _values) + v].ToValueStats();
            }

            // Distinct byte keys can decode to one string (invalid UTF-8 becomes U+FFFD): Emit combines them.
            combiner.Emit(key, new GroupAccumulator { Rows = _rows[index], Columns = columns });
        }
    }

    private enum ValueKind : byte
    {
        Missing,
        Integer,
        Decimal,
    }

    /// <summary><see cref="ValueStats"/> in <see cref="long"/> arithmetic until a value or the sum needs <see cref="decimal"/>.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct FastStats
    {
        private long _count;
        private long _sum;
        private long _min;
        private long _max;
        private bool _isDecimal;
        private ValueStats _exact;

        public void Add(long value)
        {
            if (_isDecimal)
            {
                _exact.Add(value);
                return;
            }

            var sum = unchecked(_sum + value);
            if (((_sum ^ sum) & (value ^ sum)) < 0)
            {
                ToDecimal(); // the sum would overflow: go on exactly
                _exact.Add(value);
                return;
            }

            if (_count == 0)
            {
                _min = value;
                _max = value;
            }
            else if (value < _min)
            {
                _min = value;
            }
            else if (value > _max)
            {
                _max = value;
            }

            _count++;
            _sum = sum;
        }

        public void Add(decimal value)
        {
            if (!_isDecimal)
            {
                ToDecimal();
            }

            _exact.Add(value);
        }

        public readonly ValueStats ToValueStats() =>
            _isDecimal ? _exact : new ValueStats { Count = _count, Sum = _sum, Min = _min, Max = _max };

        private void ToDecimal()
        {
            _exact = ToValueStats();
            _isDecimal = true;
        }
    }
}
